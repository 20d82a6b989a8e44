//! The sign-ins across all accounts over a window: the web app's `login_events` summed by
//! source address and by account, and what the sums amount to. **Password spraying**: one
//! address failing on many accounts; **brute force**: one account failing from many
//! addresses. The thresholds are the admin's; what passes them is named, with its numbers.
//! The sums come from `store::sign_ins`; here they are read (no I/O).

use time::OffsetDateTime;
use uuid::Uuid;

/// How many distinct accounts one address must fail on to count as spraying, and from how
/// many distinct addresses one account must fail to count as brute force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Thresholds {
    pub spray_accounts: i64,
    pub brute_force_addresses: i64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds { spray_accounts: 5, brute_force_addresses: 5 }
    }
}

/// Every attempt in the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub succeeded: i64,
    pub failed: i64,
    /// Of them, this tool's own sign-ins (its user agent is `skriptoteket-admin/...`).
    pub by_this_tool: i64,
}

/// The attempts from one address (`None`: the web app recorded none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub ip_address: Option<String>,
    pub failed: i64,
    pub succeeded: i64,
    /// Distinct accounts it failed on (attempts on an email with no account count as none).
    pub accounts: i64,
    /// Failures on emails that are no account.
    pub unknown_accounts: i64,
    pub last: OffsetDateTime,
}

/// The attempts on one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountAttempts {
    pub user_id: Uuid,
    /// `None` when the account is gone (its events keep a NULL-less id until then).
    pub email: Option<String>,
    pub failed: i64,
    pub succeeded: i64,
    /// Distinct addresses it failed from.
    pub addresses: i64,
    pub locked_until: Option<OffsetDateTime>,
    pub last: OffsetDateTime,
}

/// An account locked after failed sign-ins, as it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locked {
    pub user_id: Uuid,
    pub email: String,
    pub locked_until: OffsetDateTime,
    pub failed_login_attempts: i64,
}

/// Everything one look at a window reads: what `sign-ins` prints (and the console's view
/// will show). A table not asked for is `None`.
#[derive(Clone, Debug)]
pub struct Report {
    pub since: OffsetDateTime,
    pub thresholds: Thresholds,
    pub totals: Totals,
    pub findings: Vec<Finding>,
    pub sources: Option<Vec<Source>>,
    pub accounts: Option<Vec<AccountAttempts>>,
    pub locked: Option<Vec<Locked>>,
}

/// What a report holds beside the totals and the findings.
#[derive(Clone, Copy, Debug)]
pub struct Asked {
    pub thresholds: Thresholds,
    /// Rows in each table.
    pub limit: i64,
    /// Only rows with failures.
    pub failed_only: bool,
    pub by_address: bool,
    pub by_account: bool,
    pub locked: bool,
}

/// What passed a threshold.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// One address failing on many accounts.
    Spraying { ip_address: Option<String>, accounts: i64, failed: i64 },
    /// One account failing from many addresses.
    BruteForce { email: Option<String>, user_id: Uuid, addresses: i64, failed: i64 },
}

impl Finding {
    /// "spraying: 203.0.113.9 failed 120 times on 40 accounts".
    pub fn describe(&self) -> String {
        match self {
            Finding::Spraying { ip_address, accounts, failed } => format!(
                "spraying: {} failed {} on {}",
                address(ip_address.as_deref()),
                times(*failed),
                crate::plural::count(*accounts, "account")
            ),
            Finding::BruteForce { email, user_id, addresses, failed } => format!(
                "brute force: {} failed {} from {}",
                email.clone().unwrap_or_else(|| format!("account {user_id}")),
                times(*failed),
                if *addresses == 1 { "1 address".to_string() } else { format!("{addresses} addresses") }
            ),
        }
    }
}

fn times(n: i64) -> String {
    if n == 1 { "once".into() } else { format!("{n} times") }
}

/// An address as shown: the web app's text, or "(no address)".
pub fn address(ip: Option<&str>) -> &str {
    ip.unwrap_or("(no address)")
}

/// What the sums amount to, the most failures first.
pub fn findings(sources: &[Source], accounts: &[AccountAttempts], t: Thresholds) -> Vec<Finding> {
    let mut out: Vec<Finding> = sources
        .iter()
        .filter(|s| s.accounts >= t.spray_accounts)
        .map(|s| Finding::Spraying {
            ip_address: s.ip_address.clone(),
            accounts: s.accounts,
            failed: s.failed,
        })
        .chain(accounts.iter().filter(|a| a.addresses >= t.brute_force_addresses).map(|a| {
            Finding::BruteForce {
                email: a.email.clone(),
                user_id: a.user_id,
                addresses: a.addresses,
                failed: a.failed,
            }
        }))
        .collect();
    let failed = |f: &Finding| match f {
        Finding::Spraying { failed, .. } | Finding::BruteForce { failed, .. } => *failed,
    };
    out.sort_by_key(|f| std::cmp::Reverse(failed(f)));
    out
}

/// A source or account with more than `n` failures: what `sign-ins --alert-above N` reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    Address { ip_address: Option<String>, failed: i64 },
    Account { email: Option<String>, user_id: Uuid, failed: i64 },
}

impl Alert {
    pub fn describe(&self) -> String {
        match self {
            Alert::Address { ip_address, failed } => {
                format!("address {} failed {}", address(ip_address.as_deref()), times(*failed))
            }
            Alert::Account { email, user_id, failed } => format!(
                "account {} failed {}",
                email.clone().unwrap_or_else(|| user_id.to_string()),
                times(*failed)
            ),
        }
    }
}

/// Every source and account with more than `n` failures, the most first.
pub fn above(sources: &[Source], accounts: &[AccountAttempts], n: i64) -> Vec<Alert> {
    let mut out: Vec<Alert> = sources
        .iter()
        .filter(|s| s.failed > n)
        .map(|s| Alert::Address { ip_address: s.ip_address.clone(), failed: s.failed })
        .chain(accounts.iter().filter(|a| a.failed > n).map(|a| Alert::Account {
            email: a.email.clone(),
            user_id: a.user_id,
            failed: a.failed,
        }))
        .collect();
    let failed = |a: &Alert| match a {
        Alert::Address { failed, .. } | Alert::Account { failed, .. } => *failed,
    };
    out.sort_by_key(|a| std::cmp::Reverse(failed(a)));
    out
}

/// The windows the console's sign-ins view offers, and how its chart buckets each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Span {
    Hour,
    #[default]
    Day,
    Week,
    Month,
}

impl Span {
    pub const ALL: [Span; 4] = [Span::Hour, Span::Day, Span::Week, Span::Month];

    /// How far back the window reaches.
    pub fn length(self) -> time::Duration {
        match self {
            Span::Hour => time::Duration::hours(1),
            Span::Day => time::Duration::hours(24),
            Span::Week => time::Duration::days(7),
            Span::Month => time::Duration::days(30),
        }
    }

    /// The width of one bar of the chart.
    pub fn bucket(self) -> time::Duration {
        match self {
            Span::Hour => time::Duration::minutes(5),
            Span::Day => time::Duration::hours(1),
            Span::Week => time::Duration::hours(6),
            Span::Month => time::Duration::days(1),
        }
    }

    /// How many bars the chart has.
    pub fn buckets(self) -> usize {
        usize::try_from(self.length().whole_seconds() / self.bucket().whole_seconds()).unwrap_or(1)
    }

    /// "last 24 hours".
    pub fn label(self) -> &'static str {
        match self {
            Span::Hour => "last hour",
            Span::Day => "last 24 hours",
            Span::Week => "last 7 days",
            Span::Month => "last 30 days",
        }
    }

    /// "per hour", for the chart's title.
    pub fn per(self) -> &'static str {
        match self {
            Span::Hour => "per 5 minutes",
            Span::Day => "per hour",
            Span::Week => "per 6 hours",
            Span::Month => "per day",
        }
    }

    /// As `--since` writes it ("24h").
    pub fn since(self) -> &'static str {
        match self {
            Span::Hour => "1h",
            Span::Day => "24h",
            Span::Week => "7d",
            Span::Month => "30d",
        }
    }
}

/// What the console's sign-ins view shows: the report over its window and the chart's bars.
#[derive(Debug, Clone)]
pub struct Overview {
    pub report: Report,
    /// Successes and failures per bar, oldest first (`Span::bucket` wide).
    pub bars: Vec<Bucket>,
    /// When the window ended.
    pub until: OffsetDateTime,
}

/// Attempts in one bar of the chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    pub succeeded: i64,
    pub failed: i64,
}

/// `n` bars from counts by bar index (as the server groups them; bars without attempts
/// are absent there), oldest first. Indexes outside `0..n` (an attempt stamped in the
/// future, a clock skew) land in the nearest bar.
pub fn bars(n: usize, counted: &[(i64, Bucket)]) -> Vec<Bucket> {
    let mut out = vec![Bucket::default(); n.max(1)];
    let last = out.len() - 1;
    for (i, b) in counted {
        let at = usize::try_from((*i).max(0)).unwrap_or(0).min(last);
        out[at].succeeded += b.succeeded;
        out[at].failed += b.failed;
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn bars_fill_the_empty_buckets_and_keep_strays_in_the_window() {
        let b = |s, f| Bucket { succeeded: s, failed: f };
        let got = bars(4, &[(0, b(2, 1)), (2, b(0, 5)), (7, b(1, 0)), (-1, b(0, 1))]);
        assert_eq!(got, [b(2, 2), b(0, 0), b(0, 5), b(1, 0)]);
        assert_eq!(Span::Day.buckets(), 24);
        assert_eq!(Span::Hour.buckets(), 12);
        assert_eq!(Span::Week.buckets(), 28);
        assert_eq!(Span::Month.buckets(), 30);
    }

    use super::*;

    fn source(ip: &str, failed: i64, accounts: i64) -> Source {
        Source {
            ip_address: Some(ip.into()),
            failed,
            succeeded: 0,
            accounts,
            unknown_accounts: 0,
            last: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn account(n: u128, failed: i64, addresses: i64) -> AccountAttempts {
        AccountAttempts {
            user_id: Uuid::from_u128(n),
            email: Some(format!("u{n}@x.se")),
            failed,
            succeeded: 0,
            addresses,
            locked_until: None,
            last: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn spraying_and_brute_force_start_at_their_thresholds_and_the_most_failures_come_first() {
        let t = Thresholds { spray_accounts: 3, brute_force_addresses: 2 };
        let sources = [source("10.0.0.1", 9, 3), source("10.0.0.2", 50, 2), source("10.0.0.3", 4, 4)];
        let accounts = [account(1, 30, 2), account(2, 40, 1)];
        let found = findings(&sources, &accounts, t);
        let said: Vec<String> = found.iter().map(Finding::describe).collect();
        assert_eq!(
            said,
            [
                "brute force: u1@x.se failed 30 times from 2 addresses",
                "spraying: 10.0.0.1 failed 9 times on 3 accounts",
                "spraying: 10.0.0.3 failed 4 times on 4 accounts",
            ]
        );
    }

    #[test]
    fn an_alert_is_for_more_than_n_failures_not_n() {
        let sources = [source("10.0.0.1", 5, 1), source("10.0.0.2", 6, 1)];
        let accounts = [account(1, 5, 1), account(2, 7, 1)];
        let said: Vec<String> = above(&sources, &accounts, 5).iter().map(Alert::describe).collect();
        assert_eq!(said, ["account u2@x.se failed 7 times", "address 10.0.0.2 failed 6 times"]);
    }
}
