//! The sign-ins view: totals, a chart of successes and failures over the window (ratatui's
//! `Chart`, counts on its axis), what passes the thresholds (spraying, brute force), and
//! the three lists, the selected row marked; the selection is kept in view.

use super::palette::Palette;
use super::text::{fit, safe_fit, width};
use super::viewers::{big_box, spinning};
use super::widgets::{self, Body};
use crate::domain::sign_ins::{Bucket, Overview, Span, address};
use crate::domain::when;
use crate::tui::keymap::{KeyAction, ScrollAction, SignInsAction};
use crate::tui::model::App;
use crate::tui::model::dialog::Loading;
use crate::tui::model::sign_ins::{Section, SignInsView};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span as TextSpan};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};
use time::OffsetDateTime;

/// Widest box of the view.
const BOX_W: u16 = 120;
/// The chart's rows where the box has room for them, and the least it is drawn with.
const CHART_H: u16 = 9;
const CHART_MIN_H: u16 = 6;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, v: &SignInsView, p: Palette) {
    let title = match &v.data {
        Loading::Ready(d) => format!("Sign-ins · {}, to {} UTC", v.span.label(), when::shown(d.until, true)),
        _ => format!("Sign-ins · {}", v.span.label()),
    };
    let inner = big_box(frame, area, BOX_W, &title, p);
    let w = usize::from(inner.width);
    let d = match &v.data {
        Loading::Pending => {
            let mut body = Body::default();
            body.push(spinning(app, "reading the sign-ins…", p));
            body.footer = Some(footer(w, p));
            return body.render(frame, inner, 0);
        }
        Loading::Failed(e) => {
            let mut body = Body::default();
            body.text(&format!("the sign-ins could not be read: {e}"), p.error(), w);
            body.footer = Some(footer(w, p));
            return body.render(frame, inner, 0);
        }
        Loading::Ready(d) => d,
    };
    let t = &d.report.totals;
    let totals = format!(
        "{} succeeded · {} failed{}",
        t.succeeded,
        t.failed,
        if t.by_this_tool > 0 {
            format!(" · {} of them this tool's own sign-ins", t.by_this_tool)
        } else {
            String::new()
        },
    );
    // The totals and what passes the thresholds stay on top: they are the news.
    let mut top = vec![Line::from(TextSpan::styled(fit(&totals, w), p.bold()))];
    top.extend(findings(d, w, p));
    let top_h = (top.len() as u16).min(inner.height / 3).max(1);
    frame.render_widget(ratatui::widgets::Paragraph::new(top), Rect { height: top_h, ..inner });
    let inner = Rect { y: inner.y + top_h - 1, height: inner.height - (top_h - 1), ..inner };
    // The chart gets its rows first when the box is tall enough for it and the lists.
    let chart_h = if inner.height >= CHART_H + 20 {
        CHART_H
    } else if inner.height >= CHART_MIN_H + 8 {
        CHART_MIN_H
    } else {
        0
    };
    if chart_h > 0 {
        let key = format!("⠤⠒ successes {per} · ▄ failures {per}", per = v.span.per());
        frame.render_widget(
            Line::from(TextSpan::styled(fit(&key, w), p.dim())),
            Rect { y: inner.y + 1, height: 1, ..inner },
        );
        chart(frame, Rect { y: inner.y + 2, height: chart_h - 1, ..inner }, d, v.span, p);
    }
    let rest = Rect { y: inner.y + 1 + chart_h, height: inner.height.saturating_sub(1 + chart_h), ..inner };
    let mut body = Body::default();
    let (header, selected) = lists(&mut body, d, v, w, p);
    // What the last key did stands where the keys are, until the next key.
    body.footer = Some(match &v.note {
        Some(n) => {
            let (mark, style) = widgets::status_mark(n.kind, p);
            Line::from(TextSpan::styled(fit(&format!("{mark} {}", n.text), w), style))
        }
        None => footer(w, p),
    });
    // The selected list's title at the top when its selected row fits under it, else the
    // selected row on the last line.
    let rows = body.rows(rest).max(1);
    let scroll = match (header, selected) {
        (Some(h), Some(line)) if line + 1 - h <= rows => h,
        (_, Some(line)) => (line + 1).saturating_sub(rows),
        (Some(h), None) => h,
        (None, None) => 0,
    };
    body.render(frame, rest, scroll);
}

fn footer(w: usize, p: Palette) -> Line<'static> {
    // (key, what it does, the priority: 0 stays longest).
    let all: [(String, &str, u8); 6] = [
        pair(KeyAction::SignIns(SignInsAction::NextSection), 1),
        pair(KeyAction::SignIns(SignInsAction::Mark), 0),
        pair(KeyAction::SignIns(SignInsAction::Details), 0),
        ("1-4".into(), "window", 0),
        pair(KeyAction::Scroll(ScrollAction::Close), 0),
        ("u a x p".into(), "act", 2),
    ];
    for most in (0..=2).rev() {
        let pairs: Vec<(String, &str)> =
            all.iter().filter(|(_, _, prio)| *prio <= most).map(|(k, d, _)| (k.clone(), *d)).collect();
        let line = widgets::hints(&pairs, p);
        if line.width() <= w || most == 0 {
            return line;
        }
    }
    Line::default()
}

fn pair(action: KeyAction, prio: u8) -> (String, &'static str, u8) {
    let (k, d) = widgets::pair(action);
    (k, d, prio)
}

/// The successes as a line and the failures as bars, one point per bucket, counts on the
/// y axis and the window's start, middle and end on the x axis.
fn chart(frame: &mut Frame, area: Rect, d: &Overview, span: Span, p: Palette) {
    let points = |f: fn(&Bucket) -> i64| -> Vec<(f64, f64)> {
        d.bars.iter().enumerate().map(|(i, b)| (i as f64 + 0.5, f(b) as f64)).collect()
    };
    let ok = points(|b| b.succeeded);
    // A bar only where something failed: a bar of height 0 still draws its half block.
    let failed: Vec<(f64, f64)> = points(|b| b.failed).into_iter().filter(|(_, n)| *n > 0.0).collect();
    let top = d.bars.iter().map(|b| b.succeeded.max(b.failed)).max().unwrap_or(0).max(1);
    let n = d.bars.len().max(1) as f64;
    let at = |frac: f64| {
        let t = d.report.since + (d.until - d.report.since) * frac;
        axis_time(t, span)
    };
    let datasets = vec![
        Dataset::default()
            .name(format!("successes {}", span.per()))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(p.ok())
            .data(&ok),
        Dataset::default()
            .name(format!("failures {}", span.per()))
            .marker(Marker::HalfBlock)
            .graph_type(GraphType::Bar)
            .style(p.error())
            .data(&failed),
    ];
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().style(p.dim()).bounds([0.0, n]).labels(vec![
            TextSpan::raw(at(0.0)),
            TextSpan::raw(at(0.5)),
            TextSpan::raw("now"),
        ]))
        .y_axis(
            Axis::default()
                .style(p.dim())
                .bounds([0.0, top as f64])
                .labels(vec![TextSpan::raw("0"), TextSpan::raw(top.to_string())]),
        )
        // The key is the line above: a legend box would cover the bars.
        .legend_position(None);
    frame.render_widget(chart, area);
}

/// "14:00" within a day or two, "12-01" beyond.
fn axis_time(t: OffsetDateTime, span: Span) -> String {
    match span {
        Span::Hour | Span::Day => format!("{:02}:{:02}", t.hour(), t.minute()),
        Span::Week | Span::Month => format!("{:02}-{:02}", u8::from(t.month()), t.day()),
    }
}

/// What passes the thresholds, each on a line of its own, and the thresholds.
fn findings(d: &Overview, w: usize, p: Palette) -> Vec<Line<'static>> {
    let r = &d.report;
    let th = r.thresholds;
    let line = |text: String, style| Line::from(TextSpan::styled(fit(&text, w), style));
    if r.findings.is_empty() {
        return vec![line(
            format!(
                "no spraying (one address failing on {}+ accounts), no brute force (one account from {}+ addresses)",
                th.spray_accounts, th.brute_force_addresses
            ),
            p.dim(),
        )];
    }
    let mut out: Vec<Line<'static>> =
        r.findings.iter().map(|f| line(format!("⚠ {}", f.describe()), p.warn())).collect();
    out.push(line(
        format!(
            "(thresholds: {}+ accounts from an address, {}+ addresses on an account)",
            th.spray_accounts, th.brute_force_addresses
        ),
        p.dim(),
    ));
    out
}

/// The three lists; returns the lines of the selected list's title and of its selected row.
fn lists(
    body: &mut Body,
    d: &Overview,
    v: &SignInsView,
    w: usize,
    p: Palette,
) -> (Option<usize>, Option<usize>) {
    let (mut header, mut selected) = (None, None);
    for (i, section) in Section::ALL.into_iter().enumerate() {
        if i > 0 {
            body.blank();
        }
        let active = section == v.section;
        if active {
            header = Some(body.lines.len());
        }
        let style = if active { p.title() } else { p.bold() };
        // The locked are all listed; the others stop at the report's limit.
        let limit = crate::store::sign_ins::OVERVIEW_LIMIT as usize;
        let cut = section != Section::Locked && v.rows(section) >= limit;
        let first = if cut { format!(" (the first {limit}, most failures first)") } else { String::new() };
        body.push(TextSpan::styled(format!("{}{first} ", section.title()), style));
        let rows = section_rows(d, section, w);
        if rows.len() <= 1 {
            body.push(TextSpan::styled("  none", p.dim()));
            continue;
        }
        for (i, text) in rows.into_iter().enumerate() {
            // The first line is the columns' titles.
            let Some(row) = i.checked_sub(1) else {
                body.push(TextSpan::styled(format!("  {text}"), p.dim()));
                continue;
            };
            let here = active && row == v.selected;
            if here {
                selected = Some(body.lines.len());
            }
            let line = format!("{}{text}", if here { "▸ " } else { "  " });
            body.push(TextSpan::styled(line, if here { p.chosen() } else { p.plain() }));
        }
    }
    (header, selected)
}

/// The titles and rows of one list, each fitted to `w` (less the selection's two columns).
fn section_rows(d: &Overview, section: Section, w: usize) -> Vec<String> {
    let r = &d.report;
    let w = w.saturating_sub(2);
    // The last column is a time (16 columns); the first takes what is left, up to an IPv6
    // address or a long email.
    let name_w = w.saturating_sub(37).clamp(12, 40);
    let mut out = Vec::new();
    match section {
        Section::Sources => {
            // "signed in": whether the source ever got in, the first question before acting.
            out.push(format!(
                "{} {:>6} {:>6} {:>8}  {}",
                fit("address", name_w.saturating_sub(7)),
                "failed",
                "got in",
                "accounts",
                "last"
            ));
            for s in r.sources.iter().flatten() {
                out.push(format!(
                    "{} {:>6} {:>6} {:>8}  {}",
                    safe_fit(address(s.ip_address.as_deref()), name_w.saturating_sub(7)),
                    s.failed,
                    s.succeeded,
                    s.accounts,
                    when::shown(s.last, true)
                ));
            }
        }
        Section::Accounts => {
            out.push(format!(
                "{} {:>7} {:>9}  {}",
                fit("account", name_w),
                "failed",
                "addresses",
                "locked until"
            ));
            for a in r.accounts.iter().flatten() {
                let email = a.email.clone().unwrap_or_else(|| "(deleted account)".into());
                let locked =
                    a.locked_until.map_or_else(|| "not locked".to_string(), |t| when::shown(t, true));
                out.push(format!(
                    "{} {:>7} {:>9}  {locked}",
                    safe_fit(&email, name_w),
                    a.failed,
                    a.addresses
                ));
            }
        }
        Section::Locked => {
            out.push(format!("{} {:>7}  {}", fit("account", name_w), "failed", "locked until"));
            for l in r.locked.iter().flatten() {
                out.push(format!(
                    "{} {:>7}  {}",
                    safe_fit(&l.email, name_w),
                    l.failed_login_attempts,
                    when::shown(l.locked_until, true)
                ));
            }
        }
    }
    out.into_iter().map(|l| if width(&l) > w { fit(&l, w) } else { l }).collect()
}
