//! One frame of watch mode, drawn from a snapshot and its history; sized to
//! whatever the terminal is (rows that do not fit are left out, the header
//! and the key line never are).

use super::history::{History, Series};
use crate::model::{Chip, Device, Snapshot};
use crate::render::{human, or_na, percent, utc};
use crate::select::SortKey;
use crate::text::printable;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

/// What the frame shows besides the snapshot.
pub struct State<'a> {
    pub sort: Option<SortKey>,
    pub history: &'a History,
    /// Read warnings, or why there is no snapshot.
    pub messages: &'a [String],
}

/// Rows of two charts per chip.
const CHART_HEIGHT: u16 = 3;

pub fn draw(f: &mut Frame, s: Option<&Snapshot>, state: &State) {
    let area = f.area();
    let chips: Vec<(&Device, &Chip)> =
        s.map_or(Vec::new(), |s| s.devices.iter().flat_map(|d| d.chips.iter().map(move |c| (d, c))).collect());
    // The header and key line first; then devices, charts and processes share what is left.
    let body = area.height.saturating_sub(2);
    let devices_h = (chips.len() as u16 + 1).min(body / 3);
    let charts_h =
        (chips.len() as u16 * CHART_HEIGHT).min(body.saturating_sub(devices_h) / 2) / CHART_HEIGHT * CHART_HEIGHT;
    let [header, devices, charts, processes, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(devices_h),
        Constraint::Length(charts_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = match s {
        Some(s) => format!(
            "tt-track-smi {}  |  tt_track {}  |  {}",
            s.tool_version,
            printable(s.module_version.as_deref().unwrap_or("?")),
            utc(s.time)
        ),
        None => format!("tt-track-smi {}", env!("CARGO_PKG_VERSION")),
    };
    f.render_widget(Paragraph::new(title), header);
    f.render_widget(device_table(&chips), devices);
    draw_charts(f, charts, &chips, state.history);
    if let Some(s) = s {
        f.render_widget(process_table(s, state.sort), processes);
    }
    let sort = state.sort.map_or("proc order".to_string(), |k| format!("{k:?}").to_lowercase());
    let mut line = format!("sort: {sort}  [p]id [m]emory [d]ram [l]1 [n]ame [u]ser  q quit");
    if let Some(m) = state.messages.first() {
        line = format!("{}  |  {line}", printable(m));
    }
    f.render_widget(Paragraph::new(line), keys);
}

fn share(used: u64, capacity: Option<u64>) -> String {
    match capacity.filter(|&c| c > 0) {
        Some(c) => format!("{} / {} ({:.0}%)", human(used), human(c), percent(used, c)),
        None => human(used),
    }
}

fn device_table<'a>(chips: &[(&'a Device, &'a Chip)]) -> Table<'a> {
    let rows = chips.iter().map(|(d, c)| {
        let t = &d.telemetry;
        // The card's telemetry once, on its first chip (the one on the PCI bus).
        let card = |text: String| if d.chips.first().is_some_and(|f| f.chip == c.chip) { text } else { String::new() };
        Row::new(vec![
            format!("{}/{}", d.ordinal, c.chip),
            printable(&d.arch).into_owned(),
            card(or_na(t.temperature_c, |v| format!("{v:.0} C"))),
            card(or_na(t.power_w, |v| format!("{v:.0} W"))),
            share(c.dram_used(), c.dram_capacity),
            share(c.l1_used(), c.l1_capacity),
        ])
    });
    let widths = [
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(5),
        Constraint::Length(6),
        Constraint::Fill(1),
        Constraint::Fill(1),
    ];
    let bold = Style::default().add_modifier(Modifier::BOLD);
    Table::new(rows, widths).header(Row::new(["Chip", "Arch", "Temp", "Power", "DRAM used", "L1 used"]).style(bold))
}

/// Per chip, DRAM and L1 over the last samples, scaled to the capacity.
fn draw_charts(f: &mut Frame, area: Rect, chips: &[(&Device, &Chip)], history: &History) {
    let rows =
        Layout::vertical(vec![Constraint::Length(CHART_HEIGHT); usize::from(area.height / CHART_HEIGHT)]).split(area);
    for (row, (d, c)) in rows.iter().zip(chips) {
        let [dram, l1] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(*row);
        let empty = Series::default();
        let series = history.get(d.ordinal, c.chip).unwrap_or(&empty);
        let name = format!("{}/{}", d.ordinal, c.chip);
        chart(f, dram, format!("{name} DRAM {}", share(c.dram_used(), c.dram_capacity)), &series.dram, c.dram_capacity);
        chart(f, l1, format!("{name} L1 {}", share(c.l1_used(), c.l1_capacity)), &series.l1, c.l1_capacity);
    }
}

fn chart(f: &mut Frame, area: Rect, title: String, samples: &std::collections::VecDeque<u64>, capacity: Option<u64>) {
    // The newest samples that fit, so the right edge is now.
    let fit = usize::from(area.width.saturating_sub(2));
    let recent: Vec<u64> = samples.iter().skip(samples.len().saturating_sub(fit)).copied().collect();
    let top = capacity.filter(|&c| c > 0).unwrap_or_else(|| recent.iter().copied().max().unwrap_or(0)).max(1);
    let block = Block::default().borders(Borders::ALL).title(Line::from(title));
    f.render_widget(Sparkline::default().block(block).data(&recent).max(top), area);
}

fn process_table(s: &Snapshot, sort: Option<SortKey>) -> Table<'_> {
    let rows = s.processes.iter().map(|p| {
        let dev = p.chip.map_or_else(|| p.device.to_string(), |c| format!("{}/{c}", p.device));
        Row::new(vec![
            dev,
            p.pid.map_or_else(|| "-".to_string(), |v| v.to_string()),
            printable(p.user.as_deref().unwrap_or("?")).into_owned(),
            p.container.as_ref().map_or_else(String::new, |c| c.id12()),
            human(p.dram_used()),
            human(p.l1_used()),
            p.buffers.to_string(),
            printable(&p.command).into_owned(),
        ])
    });
    let widths = [
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let head = ["Dev", "PID", "User", "Container", "DRAM used", "L1 used", "Buffers", "Command"];
    let sorted = match sort {
        Some(SortKey::Pid) => Some(1),
        Some(SortKey::User) => Some(2),
        Some(SortKey::Dram | SortKey::Memory) => Some(4),
        Some(SortKey::L1) => Some(5),
        Some(SortKey::Name) => Some(7),
        Some(SortKey::Device) | None => None,
    };
    let header = Row::new(head.iter().enumerate().map(|(i, h)| {
        let style = if Some(i) == sorted { bold.add_modifier(Modifier::UNDERLINED) } else { bold };
        ratatui::text::Span::styled(*h, style)
    }));
    Table::new(rows, widths).header(header).block(Block::default().borders(Borders::TOP).title("Processes"))
}
