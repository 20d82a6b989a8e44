//! Rows in other tables that point at an account, and what deleting the account would do
//! to them: plain data, read from the catalog by `store::dependents`.

/// What Postgres does to a referencing row when its user is deleted.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    Cascade,
    SetNull,
    SetDefault,
    /// RESTRICT or NO ACTION: the delete fails while such rows exist.
    Restrict,
}

impl OnDelete {
    pub fn from_code(c: &str) -> OnDelete {
        match c {
            "c" => OnDelete::Cascade,
            "n" => OnDelete::SetNull,
            "d" => OnDelete::SetDefault,
            _ => OnDelete::Restrict,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            OnDelete::Cascade => "deleted",
            OnDelete::SetNull => "kept, user set to NULL",
            OnDelete::SetDefault => "kept, user set to default",
            OnDelete::Restrict => "blocks the delete",
        }
    }
}

/// How many rows of one table/column point at the given users.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dependent {
    pub table: String,
    pub column: String,
    pub on_delete: OnDelete,
    pub rows: i64,
}

impl Dependent {
    /// "3 rows in tool_versions (created_by_user_id), tool versions they wrote": the web
    /// app's tables an admin meets in a delete plan also say what they are.
    pub fn describe(&self) -> String {
        let rows = format!("{} in {} ({})", crate::plural::count(self.rows, "row"), self.table, self.column);
        match self.meaning() {
            Some(m) => format!("{rows}, {m}"),
            None => rows,
        }
    }

    /// What a row of a known web-app table is, in an admin's words.
    fn meaning(&self) -> Option<&'static str> {
        Some(match (self.table.as_str(), self.column.as_str()) {
            ("tool_runs", "requested_by_user_id") => "tool runs they started",
            ("tool_versions", "created_by_user_id") => "tool versions they wrote",
            ("tool_versions", "submitted_for_review_by_user_id") => "tool versions they sent for review",
            ("sandbox_snapshots", "created_by_user_id") => "sandbox snapshots they made",
            ("login_events", "user_id") => "their sign-in history",
            ("user_profiles", "user_id") => "their profile (names, locale)",
            ("sessions", "user_id") => "their sessions",
            _ => return None,
        })
    }
}

/// What deleting these users would do.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeletePlan {
    pub emails: Vec<String>,
    /// RESTRICT / NO ACTION references with rows: the delete cannot happen.
    pub blockers: Vec<Dependent>,
    /// The accounts those references hold (the others could be deleted on their own).
    pub blocked_emails: Vec<String>,
    /// CASCADE / SET NULL / SET DEFAULT references with rows: what the delete takes along.
    pub effects: Vec<Dependent>,
}

impl DeletePlan {
    pub fn is_blocked(&self) -> bool {
        !self.blockers.is_empty()
    }

    /// How many of the accounts nothing holds, when the delete is blocked for only some of
    /// several: those could be deleted on their own. `None` otherwise.
    pub fn deletable_rest(&self) -> Option<usize> {
        let held = self.blocked_emails.len();
        let n = self.emails.len();
        (self.is_blocked() && n > 1 && held > 0 && held < n).then_some(n - held)
    }

    /// "Cannot delete a@b.c: 3 rows in tool_versions (created_by_user_id) ...; deactivate instead."
    pub fn blocked_message(&self) -> String {
        let who = match self.emails.as_slice() {
            [one] => one.clone(),
            many => format!("{} users", many.len()),
        };
        let what = self.blockers.iter().map(Dependent::describe).collect::<Vec<_>>().join(", ");
        let held = if self.emails.len() > 1 && !self.blocked_emails.is_empty() {
            format!(" (held: {})", self.blocked_emails.join(", "))
        } else {
            String::new()
        };
        format!(
            "Cannot delete {who}: referenced by {what}{held}. Nothing was deleted; use deactivate instead."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(emails: &[&str], held: &[&str]) -> DeletePlan {
        let blocker = Dependent {
            table: "tool_runs".into(),
            column: "u".into(),
            on_delete: OnDelete::Restrict,
            rows: 1,
        };
        DeletePlan {
            emails: emails.iter().map(|e| e.to_string()).collect(),
            blockers: if held.is_empty() { vec![] } else { vec![blocker] },
            blocked_emails: held.iter().map(|e| e.to_string()).collect(),
            effects: vec![],
        }
    }

    #[test]
    fn the_rest_is_offered_only_when_some_of_several_are_held() {
        assert_eq!(plan(&["a", "b", "c"], &["b"]).deletable_rest(), Some(2));
        assert_eq!(plan(&["a", "b"], &["a", "b"]).deletable_rest(), None, "all held");
        assert_eq!(plan(&["a"], &["a"]).deletable_rest(), None, "one account");
        assert_eq!(plan(&["a", "b"], &[]).deletable_rest(), None, "nothing blocks");
    }
}
