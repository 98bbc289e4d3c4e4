//! tt-track-smi command line: parse flags, read a snapshot, render it; the
//! only place that turns errors into messages and exit codes (README.md).

use clap::Parser;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use ttsmi::model::Snapshot;
use ttsmi::output::{self, Sent, WriteError};
use ttsmi::read::{read, ReadError};
use ttsmi::render::{self, csv};
use ttsmi::select::{self, DeviceId, SortKey};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Table,
    Json,
    Csv,
    Prometheus,
}

/// `--format KIND[,noheader][,nounits]` (the options only with csv).
#[derive(Clone, Copy, Debug)]
struct Format {
    kind: Kind,
    csv: csv::Options,
}

fn parse_format(s: &str) -> Result<Format, String> {
    let mut parts = s.split(',').map(str::trim);
    let kind = match parts.next() {
        Some("table") => Kind::Table,
        Some("json") => Kind::Json,
        Some("csv") => Kind::Csv,
        Some("prometheus") => Kind::Prometheus,
        _ => return Err("expected table, json, csv or prometheus".into()),
    };
    let mut csv = csv::Options { header: true, units: true };
    for option in parts {
        match option {
            "noheader" if kind == Kind::Csv => csv.header = false,
            "nounits" if kind == Kind::Csv => csv.units = false,
            _ => return Err(format!("{option:?}: only csv takes options, noheader and nounits")),
        }
    }
    Ok(Format { kind, csv })
}

/// Per-process Tenstorrent device memory, like nvidia-smi.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Live view until q, Esc or Ctrl-C.
    #[arg(short, long, conflicts_with_all = ["json", "csv", "format", "output", "loop_seconds"])]
    watch: bool,
    /// Refresh interval in watch mode, in milliseconds (100 to 3,600,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    refresh: u64,
    /// Print again every SECONDS (1 to 86,400), in any format, until interrupted.
    #[arg(short = 'l', long = "loop", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    loop_seconds: Option<u64>,
    /// The whole snapshot as JSON (schema version 2).
    #[arg(long, conflicts_with_all = ["csv", "format"])]
    json: bool,
    /// The process table as CSV, without units (`--format=csv,nounits`).
    #[arg(long, conflicts_with = "format")]
    csv: bool,
    /// table, json, csv[,noheader][,nounits] or prometheus.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// CSV of these process fields, one row per process and chip (README.md lists them).
    #[arg(long, value_name = "FIELDS", conflicts_with = "query_device")]
    query_compute_apps: Option<String>,
    /// CSV of these chip fields, one row per chip (README.md lists them).
    #[arg(long, value_name = "FIELDS")]
    query_device: Option<String>,
    /// Only these devices (ordinals or PCI addresses, comma-separated).
    #[arg(short = 'i', long = "id", value_name = "DEVICES", value_delimiter = ',', value_parser = DeviceId::parse)]
    devices: Vec<DeviceId>,
    /// Only these processes (pids, comma-separated).
    #[arg(long = "pid", value_name = "PIDS", value_delimiter = ',', value_parser = clap::value_parser!(i32).range(1..))]
    pids: Vec<i32>,
    /// Order of the processes.
    #[arg(long, value_enum)]
    sort: Option<SortKey>,
    /// Write to FILE instead of standard output, replacing it atomically
    /// (for node_exporter's textfile collector).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Serve the Prometheus metrics over HTTP at ADDR (host:port) /metrics.
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["watch", "loop_seconds", "output", "json", "csv", "format", "query_compute_apps", "query_device"])]
    serve: Option<String>,
    /// Read /proc and /sys under this directory instead of /.
    #[arg(long, default_value = "/")]
    root: PathBuf,
    /// Table width in columns (default: the terminal's, or 120).
    #[arg(long, value_parser = clap::value_parser!(u16).range(40..=1000))]
    width: Option<u16>,
}

/// What one snapshot is turned into.
enum Output {
    Table,
    Json,
    /// Field lists, checked when planned.
    Apps(String, csv::Options),
    Chips(String, csv::Options),
    Prometheus,
}

/// Why the command failed; each has its exit code (README.md).
enum Failure {
    Read(ReadError),
    NoSuchDevice(DeviceId),
    Write(WriteError),
    Serve(String),
}

impl Failure {
    fn exit_code(&self) -> i32 {
        match self {
            Failure::Read(e) => e.exit_code(),
            Failure::NoSuchDevice(_) => 4,
            Failure::Write(_) | Failure::Serve(_) => 1,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Read(e) => e.fmt(f),
            Failure::NoSuchDevice(n) => write!(f, "no device {n}"),
            Failure::Write(e) => e.fmt(f),
            Failure::Serve(e) => e.fmt(f),
        }
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Read, filter and sort: the snapshot every output shows, with the read's warnings.
fn selected(args: &Args) -> Result<(Snapshot, Vec<String>), Failure> {
    let reading = read(&args.root, now()).map_err(Failure::Read)?;
    let mut s = reading.snapshot;
    select::filter(&mut s, &args.devices, &args.pids).map_err(Failure::NoSuchDevice)?;
    if let Some(key) = args.sort {
        select::sort(&mut s.processes, key);
    }
    Ok((s, reading.warnings))
}

/// `selected`, with the warnings on stderr.
fn snapshot(args: &Args) -> Result<Snapshot, Failure> {
    let (s, warnings) = selected(args)?;
    for w in &warnings {
        eprintln!("tt-track-smi: warning: {w}");
    }
    Ok(s)
}

fn width(args: &Args) -> u16 {
    args.width.or_else(|| ratatui::crossterm::terminal::size().ok().map(|(w, _)| w)).unwrap_or(120)
}

/// The output the flags ask for, or a usage error.
fn plan(args: &Args) -> Result<Output, String> {
    let format = match (args.json, args.csv, args.format) {
        (true, _, _) => Format { kind: Kind::Json, csv: csv::Options { header: true, units: true } },
        (_, true, _) => Format { kind: Kind::Csv, csv: csv::Options { header: true, units: false } },
        (_, _, Some(f)) => f,
        // A query alone means CSV, as nvidia-smi's --format=csv.
        _ if args.query_compute_apps.is_some() || args.query_device.is_some() => {
            Format { kind: Kind::Csv, csv: csv::Options { header: true, units: true } }
        }
        _ => Format { kind: Kind::Table, csv: csv::Options { header: true, units: true } },
    };
    if format.kind != Kind::Csv && (args.query_compute_apps.is_some() || args.query_device.is_some()) {
        return Err("--query-compute-apps and --query-device print CSV: use --format=csv".into());
    }
    Ok(match format.kind {
        Kind::Table => Output::Table,
        Kind::Json => Output::Json,
        Kind::Prometheus => Output::Prometheus,
        Kind::Csv => match &args.query_device {
            Some(list) => {
                csv::select(csv::device_fields(), list)?;
                Output::Chips(list.clone(), format.csv)
            }
            None => {
                let list = args.query_compute_apps.as_deref().unwrap_or(csv::DEFAULT_APP_FIELDS);
                csv::select(csv::app_fields(), list)?;
                Output::Apps(list.to_string(), format.csv)
            }
        },
    })
}

fn render(output: &Output, s: &Snapshot, width: u16) -> String {
    match output {
        Output::Table => render::table::render(s, width),
        Output::Json => render::json::render(s),
        // The lists were checked by `plan`: select cannot fail here.
        Output::Apps(list, o) => {
            csv::render(&csv::select(csv::app_fields(), list).unwrap_or_default(), csv::app_rows(s), *o)
        }
        Output::Chips(list, o) => {
            csv::render(&csv::select(csv::device_fields(), list).unwrap_or_default(), csv::chip_rows(s), *o)
        }
        Output::Prometheus => render::prometheus::render(s),
    }
}

fn main() {
    let args = Args::parse();
    let output = plan(&args).unwrap_or_else(|e| {
        use clap::CommandFactory;
        Args::command().error(clap::error::ErrorKind::InvalidValue, e).exit()
    });
    let result = match (&args.serve, args.watch, args.loop_seconds) {
        (Some(addr), _, _) => {
            let metrics = || snapshot(&args).map(|s| render::prometheus::render(&s)).map_err(|e| e.to_string());
            ttsmi::serve::serve(addr, metrics).map_err(Failure::Serve)
        }
        (None, true, _) => watch(&args),
        (None, false, None) => once(&args, &output).map(drop),
        (None, false, Some(seconds)) => repeat(&args, &output, Duration::from_secs(seconds)),
    };
    if let Err(e) = result {
        eprintln!("tt-track-smi: {e}");
        std::process::exit(e.exit_code());
    }
}

fn once(args: &Args, output: &Output) -> Result<Sent, Failure> {
    let text = render(output, &snapshot(args)?, width(args));
    match &args.output {
        Some(path) => output::file(path, &text),
        None => output::stdout(&text),
    }
    .map_err(Failure::Write)
}

/// `-l`: like nvidia-smi, a failed read is reported and the loop goes on;
/// a failed write ends it, and so does a reader that went away (`| head -1`).
fn repeat(args: &Args, output: &Output, every: Duration) -> Result<(), Failure> {
    loop {
        match once(args, output) {
            Err(Failure::Write(e)) => return Err(Failure::Write(e)),
            Err(e) => eprintln!("tt-track-smi: {e}"),
            Ok(Sent::ReaderGone) => return Ok(()),
            Ok(Sent::Written) => {}
        }
        std::thread::sleep(every);
    }
}

fn watch(args: &Args) -> Result<(), Failure> {
    // Warnings are shown in the view: stderr is the screen.
    let read = || selected(args).map_err(|e| format!("tt-track-smi: {e}"));
    ttsmi::watch::run(Duration::from_millis(args.refresh), args.sort, read)
        .map_err(|e| Failure::Write(WriteError("the terminal".into(), e)))
}
