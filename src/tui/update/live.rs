//! The live table: a look for changes by others every few seconds (`store::live`), the
//! rows it finds merged in place (marks, filter, sort and the cursor's account kept), the
//! changed cells lit for a moment, and an open dialog told when its account changed.

use crate::domain::UserRow;
use crate::store::live::{Look, Mark, Reconciled};
use crate::tui::event::{Effect, Failure, Job, RequestId};
use crate::tui::model::live::{LIT_TICKS, Lit};
use crate::tui::model::table::IdSet;
use crate::tui::model::{App, Screen};

impl App {
    /// A tick: highlights fade, and a look is sent when its time has come (never while
    /// the table loads, a change runs or the connection is down: each would answer first).
    pub(super) fn live_tick(&mut self, out: &mut Vec<Effect>) {
        self.live.lit.retain(|_, l| {
            l.ticks = l.ticks.saturating_sub(1);
            l.ticks > 0
        });
        let Some(every) = self.live.every else { return };
        let idle = matches!(self.screen, Screen::Users)
            && self.loaded
            && !self.live.paused
            && !self.live.waiting()
            && self.users_request.is_none()
            && self.in_flight.is_none()
            && self.connection_lost.is_none();
        let Some(mark) = self.live.mark.filter(|_| idle) else { return };
        if std::mem::take(&mut self.live.check_ids) {
            let mine = std::sync::Arc::new(self.users.ids());
            self.live.reconciling = Some(self.request(Job::Reconcile(mine), out));
            return;
        }
        self.live.ticks += 1;
        if self.live.ticks >= every {
            self.live.ticks = 0;
            self.live.looking = Some(self.request(Job::Look(mark), out));
        }
    }

    /// `P`: pauses or resumes the looks.
    pub(super) fn toggle_live(&mut self) {
        if self.live.every.is_none() {
            return self.info("the live table is off on this deployment (SKRIPTOTEKET_ADMIN_REFRESH=off)");
        }
        self.live.paused = !self.live.paused;
        self.live.ticks = 0;
        if self.live.paused {
            self.info("live table paused: changes by others show after P again (or Ctrl-r)");
        } else {
            self.info("live table resumed");
        }
    }

    /// The table's load began with a snapshot at `mark`: looks start there once it ends.
    pub(super) fn live_loaded(&mut self, mark: Mark) {
        self.live.pending = Some(mark);
    }

    /// The load ended well: its snapshot is where looks go on from.
    pub(super) fn live_load_done(&mut self) {
        if let Some(mark) = self.live.pending.take() {
            self.live.mark = Some(mark);
            self.live.ticks = 0;
            self.live.check_ids = false;
        }
    }

    /// The load failed and the table keeps what it showed: the next look reads both tables
    /// from the old mark on (its counters no longer say anything).
    pub(super) fn live_load_failed(&mut self) {
        self.live.pending = None;
        if let Some(mark) = &mut self.live.mark {
            mark.counters = None;
        }
    }

    pub(super) fn on_looked(&mut self, id: RequestId, res: Result<Look, Failure>) {
        if self.live.looking != Some(id) {
            return;
        }
        self.live.looking = None;
        let look = match res {
            Ok(look) => look,
            // The next look tries again; a lost connection has its own banner.
            Err(e) => return tracing::warn!(message = %e, "live table: look failed"),
        };
        self.live.mark = Some(look.mark);
        let counts_differ = match look.scan {
            Some(scan) => {
                self.live_merge(scan.rows);
                scan.total.is_some_and(|total| self.users.len() as u64 != total)
            }
            None => false,
        };
        // Compared at the next idle tick: not while a change of ours is in flight, whose
        // answer would remove its rows after the ids were taken.
        self.live.check_ids |= look.deleted || counts_differ;
    }

    pub(super) fn on_reconciled(&mut self, id: RequestId, res: Result<Reconciled, Failure>) {
        if self.live.reconciling != Some(id) {
            return;
        }
        self.live.reconciling = None;
        let r = match res {
            Ok(r) => r,
            Err(e) => return tracing::warn!(message = %e, "live table: ids not compared"),
        };
        if !r.gone.is_empty() {
            let changed: IdSet = r.gone.iter().copied().collect();
            // Named before the rows go.
            self.warn_underneath(&changed, "deleted meanwhile");
            for id in &r.gone {
                self.live.lit.remove(id);
            }
            let (removed, marked) = self.users.remove(&r.gone);
            if removed > 0 {
                let gone = crate::plural::count(removed as i64, "account");
                let marked = match marked {
                    0 => String::new(),
                    n => format!(" ({n} of them marked: unmarked)"),
                };
                self.info(format!("{gone} deleted elsewhere{marked}"));
            }
        }
        self.live_merge(r.missing);
    }

    /// Merges the rows a look found that differ from the table's: in place, the cursor on
    /// its account, marks kept; their changed cells lit.
    fn live_merge(&mut self, rows: Vec<UserRow>) {
        let differ = self.users.differences(&rows);
        if differ.is_empty() {
            return;
        }
        let mut changed = IdSet::default();
        let mut fresh = Vec::with_capacity(differ.len());
        let mut rows: Vec<Option<UserRow>> = rows.into_iter().map(Some).collect();
        for (i, cells) in differ {
            let Some(row) = rows.get_mut(i).and_then(Option::take) else { continue };
            // A counter or a stamp the table does not show is merged, unannounced.
            if !cells.is_empty() {
                changed.insert(row.id);
                self.live.lit.insert(row.id, Lit { cells, ticks: LIT_TICKS });
            }
            fresh.push(row);
        }
        let ids: Vec<uuid::Uuid> = fresh.iter().map(|r| r.id).collect();
        self.users.merge(&ids, fresh);
        self.warn_underneath(&changed, "changed meanwhile");
        // Say what changed, when the dialog's account did.
        if let Some((id, text)) = &mut self.live.underneath
            && let Some(lit) = self.live.lit.get(id)
        {
            let what: Vec<&str> = crate::tui::model::table::SortKey::ALL
                .iter()
                .filter(|k| lit.cells.has(**k) && lit.cells != crate::tui::model::live::Cells::ALL)
                .map(|k| k.label())
                .collect();
            if !what.is_empty() {
                *text = text.replacen("⚠ changed", &format!("⚠ {} changed", what.join(", ")), 1);
            }
        }
    }

    /// Tells the open dialog that one of its accounts changed (or went) underneath it.
    fn warn_underneath(&mut self, changed: &IdSet, what: &str) {
        let Some(id) = self.dialog.as_ref().and_then(|d| d.changed_account(changed)) else { return };
        let who = self.users.by_id(id).map(|r| r.email_str().to_string());
        let who = who.unwrap_or_else(|| "an account here".to_string());
        // The email last: a narrow box cuts the end, and the news is first.
        self.live.underneath = Some((id, format!("⚠ {what}: {who}")));
    }
}
