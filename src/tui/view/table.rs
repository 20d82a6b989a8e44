//! The Users screen: header, the table of users (only the rows on screen are built),
//! the filter and counts line, the status line and the key footer.

use super::palette::Palette;
use super::text::{self, date, fit, safe, safe_fit, safe_truncate, spinner, width};
use super::widgets;
use crate::domain::account::Account;
use crate::domain::roster::RowRef;
use crate::tui::event::TableWindow;
use crate::tui::keymap::{self, FilterAction, KeyAction, SortAction, TableAction};
use crate::tui::model::App;
use crate::tui::model::command_line::CommandLine;
use crate::tui::model::live::Cells;
use crate::tui::model::table::LoadProgress;
use crate::tui::model::table::SortKey;
use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

/// Terminal width from which dates carry the time of day.
pub const WIDE: u16 = 110;
/// The email column never gets narrower than this (or the longest email, if shorter) while
/// optional columns can go.
const MIN_EMAIL: usize = 26;
/// The email column's least width ("Email▲" and a short address).
const SHORT_EMAIL: usize = 12;

/// Which columns are shown and how wide each is, for a table `total` columns wide.
struct Columns {
    cols: Vec<(SortKey, usize)>,
    with_time: bool,
}

impl Columns {
    /// Every column that fits (as no `:columns` chose any).
    #[cfg(test)]
    fn new(total: u16, longest: usize) -> Columns {
        Columns::chosen(total, longest, &[])
    }

    /// `longest`: the longest email in the list. The email column is as wide as that needs
    /// (optional columns stay while the emails fit beside them) and takes no more: spare
    /// width stays at the right, so a row reads without a gap. `chosen`: the columns the
    /// admin chose (`:columns`), in that order after the email; none chosen: every column,
    /// the optional ones while they fit. Chosen columns that do not fit give way from the
    /// last.
    fn chosen(total: u16, longest: usize, chosen: &[SortKey]) -> Columns {
        let with_time = total >= WIDE;
        let date_w = if with_time { 16 } else { 10 };
        let width_of = |k: SortKey| match k {
            SortKey::Email => 0,
            SortKey::Role => 11,
            SortKey::Status => 10,
            SortKey::Sessions => 9,
            // "Last login▲" needs 11 columns.
            SortKey::LastLogin => date_w.max(11),
            SortKey::Created => date_w,
        };
        let (mut cols, optional): (Vec<(SortKey, usize)>, Vec<SortKey>) = if chosen.is_empty() {
            // Narrow terminals lose the creation date first, then the session count.
            (
                SortKey::ALL.iter().map(|k| (*k, width_of(*k))).collect(),
                vec![SortKey::Created, SortKey::Sessions],
            )
        } else {
            let mut cols = vec![(SortKey::Email, 0)];
            cols.extend(chosen.iter().filter(|k| **k != SortKey::Email).map(|k| (*k, width_of(*k))));
            (cols, chosen.iter().rev().copied().collect())
        };
        let email_w = |cols: &[(SortKey, usize)]| {
            // The mark column and one space before every other column.
            let fixed: usize = cols.iter().map(|(_, w)| w + 1).sum::<usize>() + 1;
            usize::from(total).saturating_sub(fixed)
        };
        let wanted = longest.max(SHORT_EMAIL) + 1;
        for optional in optional {
            if email_w(&cols) < wanted.min(MIN_EMAIL) {
                cols.retain(|(c, _)| *c != optional);
            }
        }
        let e = email_w(&cols);
        if let Some(email) = cols.first_mut() {
            email.1 = e.min(wanted);
        }
        Columns { cols, with_time }
    }

    fn constraints(&self) -> Vec<Constraint> {
        let mut out = vec![Constraint::Length(1)];
        out.extend(self.cols.iter().map(|(_, w)| Constraint::Length(u16::try_from(*w).unwrap_or(0))));
        out
    }
}

/// ▲ when the column reads small to large from the top, ▼ when large to small.
fn arrow(sort: SortKey, reverse: bool) -> &'static str {
    let ascending = matches!(sort, SortKey::Email | SortKey::Role | SortKey::Status);
    if ascending != reverse { "▲" } else { "▼" }
}

fn header_row(l: &Columns, app: &App, p: Palette) -> Row<'static> {
    let mut cells = vec![Cell::from(" ")];
    for (col, w) in &l.cols {
        let mut title = col.title().to_string();
        if app.choosing_sort {
            // The numbers `s` takes next: each column's place in the full order.
            let n = SortKey::ALL.iter().position(|k| k == col).map_or(0, |i| i + 1);
            title = format!("{n} {title}");
        }
        if *col == app.users.sort {
            title.push_str(arrow(app.users.sort, app.users.reverse));
        }
        let text = if *col == SortKey::Sessions { format!("{title:>w$}") } else { fit(&title, *w) };
        cells.push(Cell::from(text));
    }
    Row::new(cells).style(p.header())
}

fn user_row(row: RowRef<'_>, marked: bool, lit: Cells, l: &Columns, p: Palette) -> Row<'static> {
    let mut cells = vec![Cell::from(if marked { "●" } else { " " })];
    for (col, w) in &l.cols {
        let w = *w;
        let cell = match col {
            SortKey::Email => Cell::from(safe_fit(row.email(), w)),
            SortKey::Role => Cell::from(fit(row.role().as_str(), w)),
            SortKey::Status => {
                Cell::from(Span::styled(fit(row.status().as_str(), w), p.status(row.status())))
            }
            SortKey::Sessions => Cell::from(format!("{:>w$}", row.active_sessions())),
            SortKey::LastLogin => Cell::from(fit(
                &row.last_login_at().map_or_else(|| "never".to_string(), |t| date(t, l.with_time)),
                w,
            )),
            SortKey::Created => Cell::from(fit(&date(row.created_at(), l.with_time), w)),
        };
        cells.push(if lit.has(*col) { cell.style(p.changed()) } else { cell });
    }
    let row = Row::new(cells);
    if marked { row.style(p.marked()) } else { row }
}

/// Lines around the table's rows besides the footer: the header, the table's top edge and
/// column titles, its bottom edge and the status line (and one row at least).
const CHROME: u16 = 6;

/// Draws the table screen; returns the window of rows it showed.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, p: Palette) -> Option<TableWindow> {
    let footer_h = footer_height(area.width);
    if area.height < CHROME + footer_h {
        return None;
    }
    let header = Rect { height: 1, ..area };
    let table_area = Rect { y: area.y + 1, height: area.height - 2 - footer_h, ..area };
    let status = Rect { y: area.bottom() - 1 - footer_h, height: 1, ..area };
    let footer = Rect { y: area.bottom() - footer_h, height: footer_h, ..area };

    draw_header(frame, header, app, p);
    let window = draw_table(frame, table_area, app, p);
    draw_bottom_line(frame, Rect { y: table_area.bottom() - 1, height: 1, ..area }, app, p);
    let top = Rect { y: table_area.y, height: 1, ..area };
    draw_top_line(frame, top, app, p);
    if let Some(lost) = &app.connection_lost {
        let banner = format!(" {} CONNECTION LOST · {}", spinner(app.spinner), safe(lost));
        let line = Line::from(Span::styled(fit(&banner, usize::from(area.width)), p.banner()));
        frame.render_widget(Paragraph::new(line), top);
    }
    draw_status(frame, status, app, p);
    draw_footer(frame, footer, app, p);
    Some(window)
}

/// App name and who is signed in; the email gives way before the role does.
fn draw_header(frame: &mut Frame, area: Rect, app: &App, p: Palette) {
    let total = usize::from(area.width);
    let app_name = "Skriptoteket admin";
    let mut spans = vec![Span::styled(app_name, p.title())];
    let d = &app.options.deployment;
    // Where this is and whether it can write: before who is signed in, never cut.
    let mut used = app_name.len();
    if let Some(name) = &d.name {
        let shown = format!(" · {}", safe_truncate(name, 40));
        used += width(&shown);
        spans.push(Span::styled(shown, p.deployment(d.color.as_deref())));
    }
    if d.readonly {
        let badge = " · READ-ONLY";
        used += badge.len();
        spans.push(Span::styled(badge, p.alarm()));
    }
    if let Some(a) = &app.actor {
        let role = format!(" ({})", a.role);
        let lead = " · signed in as ";
        let room = total.saturating_sub(used + lead.len() + role.len());
        spans.push(Span::styled(lead, p.dim()));
        spans.push(Span::styled(safe_truncate(&a.email, room), p.bold()));
        spans.push(Span::raw(role));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The table's top edge: the database on the left, what the worker is doing on the right.
fn draw_top_line(frame: &mut Frame, area: Rect, app: &App, p: Palette) {
    let total = usize::from(area.width);
    let busy = app
        .busy()
        .map(|b| format!(" {} {} ", spinner(app.spinner), safe_truncate(&b, total / 2)))
        .unwrap_or_default();
    // Live or paused (`P`), right of the database.
    let live = app.live.state().map(|s| format!(" {s} ")).unwrap_or_default();
    let room = total.saturating_sub(width(&busy) + width(&live) + 6);
    let shown = match app.options.target_via.as_str() {
        "" => app.options.target.clone(),
        via => format!("{} ({via})", app.options.target),
    };
    let target = format!(" {} ", safe_truncate(&shown, room));
    let fill = total.saturating_sub(2 + width(&target) + width(&live) + width(&busy) + 1);
    let live_style = if app.live.paused { p.warn() } else { p.ok() };
    let line = Line::from(vec![
        Span::styled("─", p.border()),
        Span::styled(target, p.bold()),
        Span::styled(live, live_style),
        Span::styled("─".repeat(fill + 1), p.border()),
        Span::styled(busy, p.warn()),
        Span::styled("─", p.border()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_table(frame: &mut Frame, area: Rect, app: &App, p: Palette) -> TableWindow {
    let l = Columns::chosen(area.width, app.users.longest_email, &app.columns);
    let block = Block::new().borders(Borders::TOP | Borders::BOTTOM).border_style(p.border());
    let inner = block.inner(area);
    // Below the column titles.
    let page = inner.height.saturating_sub(1).max(1);
    let offset = app.users.offset_for(usize::from(page));
    let rows: Vec<Row<'static>> = app
        .users
        .window(offset, usize::from(page))
        .map(|(r, marked)| user_row(r, marked, app.live.lit(r.id()), &l, p))
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(rows, l.constraints())
        .header(header_row(&l, app, p))
        .column_spacing(1)
        .block(block)
        .row_highlight_style(p.cursor());
    let selected = (app.users.visible_len() > 0).then(|| app.users.cursor.saturating_sub(offset));
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
    if empty && inner.height > 1 {
        let msg = if !app.loaded {
            "loading users…"
        } else if app.users.is_empty() {
            "no users in this database"
        } else {
            "no user matches the filter (Esc clears it)"
        };
        let body = Rect { y: inner.y + 1, height: 1, ..inner };
        frame.render_widget(Paragraph::new(Span::styled(format!("  {msg}"), p.dim())), body);
    }
    TableWindow { rows: page, offset }
}

/// The table's bottom edge: the filter on the left, the counts on the right.
fn draw_bottom_line(frame: &mut Frame, area: Rect, app: &App, p: Palette) {
    let total = usize::from(area.width);
    let loading = match app.users.loading() {
        Some(LoadProgress { received, total: Some(total) }) => {
            format!("loading {} of {} · ", received, total)
        }
        Some(LoadProgress { received, total: None }) => format!("loading {} · ", received),
        None => String::new(),
    };
    let counts = format!(
        " {loading}{} of {} · {} marked ",
        app.users.visible_len(),
        text::users(app.users.len()),
        app.users.marks_len()
    );
    let mut spans = vec![Span::styled("─ ", p.border())];
    let mut used = 2;
    let room = total.saturating_sub(used + width(&counts) + 2);
    let invalid = app.users.filter.invalid.as_ref().map(|t| format!(" {} ", safe(t)));
    // The unknown token matters more than the filter text it came from.
    let invalid = invalid.map(|s| text::truncate(&s, room.saturating_sub(10)));
    let field_room = room.saturating_sub(invalid.as_ref().map_or(0, |s| width(s)) + 1);
    let typed = safe(app.filter.value());
    let field_w = (width(&typed) + 1).clamp(12, 40).min(field_room.saturating_sub(2));
    // What a kept filter keeps is said in words ("created more than 1 year ago · role
    // user"); while it is edited, the text typed, and the words where there is room.
    let meaning = (invalid.is_none() && !app.users.filter.parsed.is_empty())
        .then(|| safe(&app.users.filter.parsed.describe()).into_owned());
    let (filter, cursor) = match &meaning {
        Some(m) if !app.filter.editing => {
            let shown = format!("filter: {}", text::safe_truncate(m, field_room.saturating_sub(10)));
            (vec![Span::styled(shown, p.warn())], None)
        }
        _ => widgets::filter_line(&app.filter, field_w, field_room.saturating_sub(10), p),
    };
    if let Some(col) = cursor {
        let x = area.x + u16::try_from(used + col).unwrap_or(0);
        if x < area.right() {
            frame.set_cursor_position(Position { x, y: area.y });
        }
    }
    used += filter.iter().map(|s| width(&s.content)).sum::<usize>();
    spans.extend(filter);
    if let Some(inv) = invalid {
        spans.push(Span::raw(" "));
        used += 1 + width(&inv);
        spans.push(Span::styled(inv, p.error()));
    } else if let Some(m) = meaning.filter(|_| app.filter.editing) {
        let room = total.saturating_sub(used + width(&counts) + 3);
        if room >= 12 {
            let m = text::truncate(&format!(" = {m}"), room);
            used += width(&m);
            spans.push(Span::styled(m, p.dim()));
        }
    }
    let fill = total.saturating_sub(used + width(&counts) + 1);
    if used > 2 {
        spans.push(Span::styled(format!(" {}", "─".repeat(fill.saturating_sub(1))), p.border()));
    } else {
        spans = vec![Span::styled("─".repeat(fill + 2), p.border())];
    }
    spans.push(Span::styled(counts, p.bold()));
    spans.push(Span::styled("─", p.border()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The `:` command line on the status row: what is typed, then the candidates or why the
/// last Enter did nothing.
fn draw_command(frame: &mut Frame, area: Rect, line: &CommandLine, p: Palette) {
    let w = usize::from(area.width);
    // A long line scrolls sideways around the cursor, as a filter line does.
    let value = safe(line.input.value());
    let room = (width(&value) + 1).clamp(1, (w * 2 / 3).max(1));
    let (typed, col) = widgets::window(&value, line.input.visual_cursor(), room);
    let cursor = 1 + col;
    let used = 1 + width(&typed);
    let mut spans = vec![Span::styled(":", p.key()), Span::raw(typed)];
    // Why the last Enter did nothing, or what Tab could complete to (the key bar says
    // which keys do what).
    let room = w.saturating_sub(used + 1);
    if let Some(e) = &line.error {
        spans.push(Span::styled(safe_truncate(&format!("  {}", safe(e)), room), p.error()));
    } else if let Some(choices) = &line.choices {
        spans.push(Span::styled(safe_truncate(&format!("  {choices}"), room), p.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if let Ok(x) = u16::try_from(cursor)
        && x < area.width
    {
        frame.set_cursor_position(Position { x: area.x + x, y: area.y });
    }
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, p: Palette) {
    if let Some(line) = &app.command {
        return draw_command(frame, area, line, p);
    }
    // While a filter that cannot be read is typed, the whole reason (the edge above has
    // room for its start only), with what to write instead.
    if app.filter.editing
        && let Some(why) = &app.users.filter.invalid
    {
        let msg = safe_truncate(&format!("✗ {}", safe(why)), usize::from(area.width));
        frame.render_widget(Paragraph::new(Span::styled(msg, p.error())), area);
        return;
    }
    // While a filter is typed, all it means (the edge has room for its start only).
    if app.filter.editing && app.status.is_none() && !app.users.filter.parsed.is_empty() {
        let meaning = format!("  = {}", safe(&app.users.filter.parsed.describe()));
        frame.render_widget(
            Paragraph::new(Span::styled(safe_truncate(&meaning, usize::from(area.width)), p.dim())),
            area,
        );
        return;
    }
    let Some(s) = &app.status else { return };
    let (prefix, style) = widgets::status_mark(s.kind, p);
    let full = format!("{prefix}{}", s.text);
    let w = usize::from(area.width);
    // A message too long for the line says where the rest is.
    let msg = if width(&full) > w {
        let more = format!(" ({}: full text)", first_key(KeyAction::Table(TableAction::Messages)));
        format!("{}{more}", safe_truncate(&full, w.saturating_sub(width(&more))))
    } else {
        safe_truncate(&full, w)
    };
    frame.render_widget(Paragraph::new(Span::styled(msg, style)), area);
}

/// The table's jobs in footer order, with their priority: when even two lines cannot hold
/// them all, lower numbers stay. Help is last and always shown.
/// Each job's word is its binding's `short` (the keymap).
const FOOTER: [(TableAction, u8); 22] = [
    (TableAction::Filter, 1),
    (TableAction::Mark, 1),
    (TableAction::MarkAll, 4),
    (TableAction::New, 2),
    (TableAction::Role, 2),
    (TableAction::Password, 3),
    (TableAction::Edit, 4),
    (TableAction::Delete, 2),
    (TableAction::ToggleActive, 3),
    (TableAction::Revoke, 3),
    (TableAction::Unlock, 4),
    (TableAction::VerifyEmail, 3),
    (TableAction::Sort, 4),
    (TableAction::Audit, 2),
    (TableAction::Export, 3),
    (TableAction::Undo, 2),
    (TableAction::CommandLine, 4),
    (TableAction::Details, 5),
    (TableAction::Command, 6),
    (TableAction::Messages, 6),
    (TableAction::Quit, 1),
    (TableAction::Help, 0),
];

/// The footer: the hints on each line (indices into the items), and the spaces between.
struct FooterLayout {
    lines: Vec<Vec<usize>>,
    sep: usize,
}

/// `chosen` (indices of `items`, in list order) on at most `max_lines` lines of `total`
/// columns, `sep` spaces apart, whole hints only; `None` where they do not fit.
fn wrap_hints(
    items: &[(String, &str, u8)],
    chosen: &[usize],
    total: usize,
    sep: usize,
    max_lines: usize,
) -> Option<Vec<Vec<usize>>> {
    let cost = |i: usize| items.get(i).map_or(0, |(k, w, _)| width(k) + 1 + width(w));
    let mut lines: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for &i in chosen {
        let c = cost(i);
        let line = lines.last_mut()?;
        if line.is_empty() {
            line.push(i);
            used = c;
        } else if used + sep + c <= total {
            line.push(i);
            used += sep + c;
        } else {
            lines.push(vec![i]);
            used = c;
        }
    }
    (lines.len() <= max_lines && used <= total).then_some(lines)
}

/// One line when every hint fits on it, else two (at most `max_lines`); where they cannot
/// hold them all, hints go by priority (lower numbers stay), each priority in list order.
/// Never a cut word.
fn footer_layout(items: &[(String, &str, u8)], total: usize, max_lines: usize) -> FooterLayout {
    let all: Vec<usize> = (0..items.len()).collect();
    for max_lines in (1..=max_lines).take(2) {
        for sep in [2, 1] {
            if let Some(lines) = wrap_hints(items, &all, total, sep, max_lines) {
                return FooterLayout { lines, sep };
            }
        }
    }
    let mut kept: Vec<usize> = Vec::new();
    let max_prio = items.iter().map(|i| i.2).max().unwrap_or(0);
    for prio in 0..=max_prio {
        for (i, item) in items.iter().enumerate() {
            if item.2 != prio {
                continue;
            }
            let mut trial = kept.clone();
            trial.push(i);
            trial.sort_unstable();
            if wrap_hints(items, &trial, total, 1, max_lines).is_some() {
                kept = trial;
            }
        }
    }
    let lines = wrap_hints(items, &kept, total, 1, max_lines).unwrap_or_default();
    FooterLayout { lines, sep: 1 }
}

/// How many lines the footer takes at this width (1 or 2): as many as the table's own
/// hints need, whatever the footer shows now, so the table does not jump by a row when
/// the filter line opens.
fn footer_height(width: u16) -> u16 {
    let items = table_hints();
    u16::try_from(footer_layout(&items, usize::from(width), 2).lines.len().max(1)).unwrap_or(1)
}

/// The table's hints (key, word, priority), in footer order.
fn table_hints() -> Vec<(String, &'static str, u8)> {
    FOOTER
        .iter()
        .map(|(a, prio)| {
            let action = KeyAction::Table(*a);
            (first_key(action), keymap::short(action), *prio)
        })
        .collect()
}

/// The first key of `action` (the footer names one key per job; help lists them all).
fn first_key(action: KeyAction) -> String {
    crate::tui::keymap::BINDINGS
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default()
}

/// The footer's hints for what the table shows now: every job that fits the width, by
/// priority, always ending with `? help`.
pub fn footer_hints(app: &App) -> Vec<(String, &'static str, u8)> {
    // The keys of a line being typed, or of the sort choice, not the table's.
    if app.command.is_some() {
        return vec![
            (first_key(KeyAction::Filter(FilterAction::Keep)), "run", 0),
            (first_key(KeyAction::Filter(FilterAction::Complete)), "complete", 0),
            (first_key(KeyAction::Filter(FilterAction::Clear)), "cancel", 0),
        ];
    }
    if app.choosing_sort {
        return vec![
            ("1-6".to_string(), "sort by that column", 0),
            (first_key(KeyAction::Sort(SortAction::Next)), "the next column", 0),
            (first_key(KeyAction::Sort(SortAction::Cancel)), "as it is", 0),
        ];
    }
    if app.filter.editing {
        vec![
            widgets::hint(KeyAction::Filter(FilterAction::Keep), 0),
            widgets::hint(KeyAction::Filter(FilterAction::Clear), 0),
            widgets::hint(KeyAction::Filter(FilterAction::Empty), 1),
            widgets::hint(KeyAction::Filter(FilterAction::Older), 2),
            ("role:NAME status:locked created:older:6m last_login:within:30d -word".to_string(), "…", 5),
        ]
    } else {
        table_hints()
    }
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App, p: Palette) {
    let items = footer_hints(app);
    let layout = footer_layout(&items, usize::from(area.width), usize::from(area.height));
    let lines: Vec<Line<'static>> = layout
        .lines
        .iter()
        .map(|line| {
            let mut spans = Vec::new();
            for item in line.iter().filter_map(|&i| items.get(i)) {
                if !spans.is_empty() {
                    spans.push(Span::raw(" ".repeat(layout.sep)));
                }
                spans.push(Span::styled(item.0.clone(), p.key()));
                spans.push(Span::styled(format!(" {}", item.1), p.dim()));
            }
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_emails_fill_the_width_exactly() {
        for w in [60u16, 64, 70, 80, 100, 109, 110, 120, 200] {
            let l = Columns::new(w, 300);
            let sum: usize = l.cols.iter().map(|(_, cw)| cw + 1).sum::<usize>() + 1;
            assert_eq!(sum, usize::from(w), "{w}");
            assert!(l.cols[0].1 >= MIN_EMAIL - 12, "{w}: email {}", l.cols[0].1);
        }
        // At 80 columns long emails take the creation date's room.
        assert_eq!(Columns::new(80, 40).cols.len(), 5);
        assert_eq!(Columns::new(100, 40).cols.len(), 6);
        assert!(!Columns::new(80, 40).with_time);
        assert!(Columns::new(120, 40).with_time);
    }

    #[test]
    fn chosen_columns_show_in_their_order_after_the_email_and_give_way_from_the_last() {
        let l = Columns::chosen(120, 30, &[SortKey::LastLogin, SortKey::Role]);
        let keys: Vec<SortKey> = l.cols.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [SortKey::Email, SortKey::LastLogin, SortKey::Role]);
        let all = [SortKey::Role, SortKey::Status, SortKey::Sessions, SortKey::LastLogin, SortKey::Created];
        let narrow = Columns::chosen(60, 40, &all);
        assert!(
            narrow.cols.len() < 6 && narrow.cols.iter().any(|(k, _)| *k == SortKey::Role),
            "{:?}",
            narrow.cols
        );
    }

    #[test]
    fn short_emails_leave_room_for_every_column_and_take_no_more() {
        // At 80x24 emails of up to 21 characters keep the creation date.
        let l = Columns::new(80, 21);
        assert_eq!(l.cols.len(), 6);
        assert_eq!(l.cols[0].1, 22);
        // At 200 columns the email column is as wide as its longest email, plus one.
        assert_eq!(Columns::new(200, 30).cols[0].1, 31);
        let sum: usize = Columns::new(200, 30).cols.iter().map(|(_, cw)| cw + 1).sum::<usize>() + 1;
        assert!(sum < 200);
    }
}
