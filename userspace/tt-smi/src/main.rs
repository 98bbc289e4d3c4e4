//! tt-track-smi command line: parse flags, read a snapshot, render it; the only
//! place that turns errors into messages and exit codes (README.md).

use clap::{Parser, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ttsmi::output::{self, WriteError};
use ttsmi::read::{read, ReadError, Reading};
use ttsmi::render;

/// Why the command failed; each has its exit code (README.md).
enum Failure {
    Read(ReadError),
    Write(WriteError),
}

impl Failure {
    fn exit_code(&self) -> i32 {
        match self {
            Failure::Read(e) => e.exit_code(),
            Failure::Write(_) => 1,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Read(e) => e.fmt(f),
            Failure::Write(e) => e.fmt(f),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
    Prometheus,
}

/// Per-process Tenstorrent device memory, like nvidia-smi.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Redraw in place until Ctrl-C or q.
    #[arg(short, long, conflicts_with_all = ["json", "csv", "format"])]
    watch: bool,
    /// Refresh interval in watch mode, in milliseconds (100 to 3,600,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    refresh: u64,
    /// Machine output: the whole snapshot as JSON (schema version 1).
    #[arg(long, conflicts_with_all = ["csv", "format"])]
    json: bool,
    /// Machine output: the process table as CSV.
    #[arg(long, conflicts_with = "format")]
    csv: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Read /proc and /sys under this directory instead of /.
    #[arg(long, default_value = "/")]
    root: PathBuf,
    /// Write to FILE instead of standard output, replacing it atomically
    /// (for node_exporter's textfile collector).
    #[arg(long, value_name = "FILE", conflicts_with = "watch")]
    output: Option<PathBuf>,
    /// Table width in columns (default: the terminal's, or 120).
    #[arg(long, value_parser = clap::value_parser!(u16).range(40..=1000))]
    width: Option<u16>,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn snapshot(args: &Args) -> Result<Reading, ReadError> {
    let reading = read(&args.root, now())?;
    for w in &reading.warnings {
        eprintln!("tt-track-smi: warning: {w}");
    }
    Ok(reading)
}

fn width(args: &Args) -> u16 {
    args.width.or_else(|| crossterm::terminal::size().ok().map(|(w, _)| w)).unwrap_or(120)
}

fn main() {
    let args = Args::parse();
    let result = if args.watch { watch(&args).map_err(Failure::Read) } else { once(&args) };
    if let Err(e) = result {
        eprintln!("tt-track-smi: {e}");
        std::process::exit(e.exit_code());
    }
}

fn once(args: &Args) -> Result<(), Failure> {
    let s = snapshot(args).map_err(Failure::Read)?.snapshot;
    let out = match (args.json, args.csv, args.format) {
        (true, _, _) | (_, _, Format::Json) => render::json::render(&s),
        (_, true, _) | (_, _, Format::Csv) => render::csv::render(&s),
        (_, _, Format::Prometheus) => render::prometheus::render(&s),
        (_, _, Format::Table) => render::table::render(&s, width(args)),
    };
    match &args.output {
        Some(path) => output::file(path, &out),
        None => output::stdout(&out),
    }
    .map_err(Failure::Write)
}

/// Restores the terminal however watch mode ends.
struct Terminal;

impl Terminal {
    fn enter() -> std::io::Result<Terminal> {
        crossterm::terminal::enable_raw_mode()?;
        let mut out = std::io::stdout();
        crossterm::execute!(out, crossterm::terminal::EnterAlternateScreen, crossterm::cursor::Hide)?;
        Ok(Terminal)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let mut out = std::io::stdout();
        let _ = crossterm::execute!(out, crossterm::cursor::Show, crossterm::terminal::LeaveAlternateScreen);
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

fn watch(args: &Args) -> Result<(), ReadError> {
    use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyModifiers};
    let mut history = render::watch::History::default();
    let terminal = Terminal::enter().map_err(|e| ReadError::Io("terminal".into(), e))?;
    loop {
        // A device may come and go between refreshes: show the error, keep watching.
        let frame = match read(&args.root, now()) {
            Ok(r) => {
                history.push(&r.snapshot);
                let mut f = render::table::render(&r.snapshot, width(args));
                f += &history.render(&r.snapshot);
                for w in r.warnings {
                    f += &format!("warning: {w}\n");
                }
                f
            }
            Err(e) => format!("tt-track-smi: {e}\n"),
        };
        let mut out = std::io::stdout();
        let _ = crossterm::execute!(
            out,
            crossterm::cursor::MoveTo(0, 0),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        );
        let _ = write!(out, "{}(q or Ctrl-C to quit)", frame.replace('\n', "\r\n"));
        let _ = out.flush();
        let deadline = std::time::Instant::now() + Duration::from_millis(args.refresh);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            if !event::poll(left).unwrap_or(false) {
                break;
            }
            if let Ok(Event::Key(KeyEvent { code, modifiers, .. })) = event::read() {
                let ctrl_c = code == KeyCode::Char('c') && modifiers.contains(KeyModifiers::CONTROL);
                if ctrl_c || code == KeyCode::Char('q') || code == KeyCode::Esc {
                    drop(terminal);
                    return Ok(());
                }
            }
        }
    }
}
