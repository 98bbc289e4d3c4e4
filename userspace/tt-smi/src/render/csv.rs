//! CSV, nvidia-smi style: `--query-compute-apps=FIELDS` (one row per process
//! and chip) or `--query-device=FIELDS` (one row per chip), each a list of
//! the named fields below; `noheader` and `nounits` as in nvidia-smi.
//! RFC 4180 quoting, with "," between fields.

use crate::model::{Chip, Device, Process, Snapshot, Usage, CATEGORIES, TYPES};

/// What a field's number is in: shown after the value and in the header
/// (`used_memory [B]`, `1024 B`) unless `nounits`.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    None,
    Bytes,
    Celsius,
    Watts,
    MHz,
}

impl Unit {
    fn symbol(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Bytes => "B",
            Unit::Celsius => "C",
            Unit::Watts => "W",
            Unit::MHz => "MHz",
        }
    }
}

/// One value of a row: text is quoted where needed, numbers never are.
pub enum Value {
    Text(String),
    Number(String),
    Missing,
}

fn num(v: impl ToString) -> Value {
    Value::Number(v.to_string())
}

fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Missing, f)
}

pub struct Field<R> {
    pub name: String,
    unit: Unit,
    get: Box<dyn Fn(&R) -> Value>,
}

fn field<R>(name: impl Into<String>, unit: Unit, get: impl Fn(&R) -> Value + 'static) -> Field<R> {
    Field { name: name.into(), unit, get: Box::new(get) }
}

/// A process row with its card's PCI address.
pub struct AppRow<'a> {
    pub pci: &'a str,
    pub process: &'a Process,
}

/// A chip row with its card.
pub struct ChipRow<'a> {
    pub device: &'a Device,
    pub chip: &'a Chip,
}

/// Every field of `--query-compute-apps`, in the order README.md lists them.
pub fn app_fields<'a>() -> Vec<Field<AppRow<'a>>> {
    let mut f: Vec<Field<AppRow<'a>>> = vec![
        field("device", Unit::None, |r: &AppRow<'a>| num(r.process.device)),
        field("chip", Unit::None, |r: &AppRow<'a>| opt(r.process.chip, num)),
        field("pid", Unit::None, |r: &AppRow<'a>| opt(r.process.pid, num)),
        field("user", Unit::None, |r: &AppRow<'a>| opt(r.process.user.clone(), text)),
        field("process_name", Unit::None, |r: &AppRow<'a>| text(&r.process.command)),
        field("comm", Unit::None, |r: &AppRow<'a>| text(&r.process.comm)),
        field("container", Unit::None, |r: &AppRow<'a>| opt(r.process.container.as_ref(), |c| text(c.uri()))),
        field("pod_uid", Unit::None, |r: &AppRow<'a>| {
            opt(r.process.container.as_ref().and_then(|c| c.pod_uid.clone()), text)
        }),
        field("pci.bus_id", Unit::None, |r: &AppRow<'a>| text(r.pci)),
        field("used_memory", Unit::Bytes, |r: &AppRow<'a>| num(r.process.total_bytes())),
        field("dram_used", Unit::Bytes, |r: &AppRow<'a>| num(r.process.dram_used())),
        field("l1_used", Unit::Bytes, |r: &AppRow<'a>| num(r.process.l1_used())),
    ];
    for (k, t) in TYPES.iter().enumerate() {
        f.push(field(format!("memory.{}", t.to_lowercase()), Unit::Bytes, move |r: &AppRow<'a>| {
            num(r.process.bytes[k])
        }));
    }
    f.push(field("buffers", Unit::None, |r: &AppRow<'a>| num(r.process.buffers)));
    f
}

/// `--csv` and `--format csv` without a query: the process table.
pub const DEFAULT_APP_FIELDS: &str = "device,chip,pid,user,process_name,used_memory,memory.dram,memory.l1,\
memory.system_memory,memory.l1_small,memory.trace,memory.cb,memory.kernel,buffers,container";

/// Every field of `--query-device`.
pub fn device_fields<'a>() -> Vec<Field<ChipRow<'a>>> {
    let mut f: Vec<Field<ChipRow<'a>>> = vec![
        field("index", Unit::None, |r: &ChipRow<'a>| num(r.device.ordinal)),
        field("chip", Unit::None, |r: &ChipRow<'a>| num(r.chip.chip)),
        field("pci.bus_id", Unit::None, |r: &ChipRow<'a>| text(&r.device.pci_address)),
        field("arch", Unit::None, |r: &ChipRow<'a>| text(&r.device.arch)),
        field("open_files", Unit::None, |r: &ChipRow<'a>| num(r.device.open_files)),
        field("temperature", Unit::Celsius, |r: &ChipRow<'a>| opt(r.device.telemetry.temperature_c, num)),
        field("power", Unit::Watts, |r: &ChipRow<'a>| opt(r.device.telemetry.power_w, num)),
        field("aiclk", Unit::MHz, |r: &ChipRow<'a>| opt(r.device.telemetry.aiclk_mhz, num)),
        field("dram.used", Unit::Bytes, |r: &ChipRow<'a>| num(r.chip.dram_used())),
        field("dram.total", Unit::Bytes, |r: &ChipRow<'a>| opt(r.chip.dram_capacity, num)),
        field("l1.used", Unit::Bytes, |r: &ChipRow<'a>| num(r.chip.l1_used())),
        field("l1.total", Unit::Bytes, |r: &ChipRow<'a>| opt(r.chip.l1_capacity, num)),
        field("leaked.bytes", Unit::Bytes, |r: &ChipRow<'a>| num(r.chip.leaked_bytes)),
        field("leaked.buffers", Unit::None, |r: &ChipRow<'a>| num(r.chip.leaked_buffers)),
    ];
    // Per type and per KERNEL category: used.dram, peak.dram, buffers.dram, ..., used.kernel_fabric.
    let types = TYPES.iter().enumerate().map(|(k, t)| (t.to_lowercase(), k, false));
    let categories = CATEGORIES.iter().enumerate().map(|(k, c)| (format!("kernel_{c}"), k, true));
    for (name, k, category) in types.chain(categories) {
        let usage = move |c: &Chip| -> Usage {
            if category {
                c.kernel[k]
            } else {
                c.types[k]
            }
        };
        f.push(field(format!("used.{name}"), Unit::Bytes, move |r: &ChipRow<'a>| num(usage(r.chip).bytes)));
        f.push(field(format!("peak.{name}"), Unit::Bytes, move |r: &ChipRow<'a>| num(usage(r.chip).peak_bytes)));
        f.push(field(format!("buffers.{name}"), Unit::None, move |r: &ChipRow<'a>| num(usage(r.chip).buffers)));
    }
    // Leaked bytes per type: leaked.dram, ..., leaked.kernel (empty from a module that does not count them).
    for (k, t) in TYPES.iter().enumerate() {
        let leaked = move |r: &ChipRow<'a>| opt(r.chip.leaked_by_type.map(|b| b[k]), num);
        f.push(field(format!("leaked.{}", t.to_lowercase()), Unit::Bytes, leaked));
    }
    f
}

/// The fields named in `list` (comma-separated), or the first unknown name
/// with the valid ones.
pub fn select<R>(all: Vec<Field<R>>, list: &str) -> Result<Vec<Field<R>>, String> {
    let mut all: Vec<Option<Field<R>>> = all.into_iter().map(Some).collect();
    let mut chosen = Vec::new();
    for name in list.split(',').map(str::trim) {
        let i = all.iter().position(|f| f.as_ref().is_some_and(|f| f.name == name));
        match i.and_then(|i| all[i].take()) {
            Some(f) => chosen.push(f),
            None => {
                let valid: Vec<&str> = all.iter().flatten().map(|f| f.name.as_str()).collect();
                return Err(format!("unknown or repeated field {name:?} (valid: {})", valid.join(", ")));
            }
        }
    }
    Ok(chosen)
}

/// Quoted when it holds a separator, a quote or any control character: the
/// exact value survives, and a control character is never a bare field.
fn quote(s: &str) -> String {
    if s.contains([',', '"']) || s.contains(char::is_control) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `noheader` and `nounits` of `--format=csv,...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub header: bool,
    pub units: bool,
}

pub fn render<R>(fields: &[Field<R>], rows: impl Iterator<Item = R>, o: Options) -> String {
    let mut out = String::new();
    if o.header {
        let names: Vec<String> = fields
            .iter()
            .map(|f| match f.unit {
                Unit::None => f.name.clone(),
                _ if !o.units => f.name.clone(),
                u => format!("{} [{}]", f.name, u.symbol()),
            })
            .collect();
        out += &(names.join(",") + "\n");
    }
    for row in rows {
        let values: Vec<String> = fields
            .iter()
            .map(|f| match (f.get)(&row) {
                Value::Text(t) => quote(&t),
                Value::Number(n) if o.units && f.unit != Unit::None => format!("{n} {}", f.unit.symbol()),
                Value::Number(n) => n,
                Value::Missing => String::new(),
            })
            .collect();
        out += &(values.join(",") + "\n");
    }
    out
}

pub fn app_rows(s: &Snapshot) -> impl Iterator<Item = AppRow<'_>> {
    s.processes.iter().map(move |p| AppRow {
        pci: s.devices.iter().find(|d| d.ordinal == p.device).map_or("", |d| &d.pci_address),
        process: p,
    })
}

pub fn chip_rows(s: &Snapshot) -> impl Iterator<Item = ChipRow<'_>> {
    s.devices.iter().flat_map(|d| d.chips.iter().map(move |c| ChipRow { device: d, chip: c }))
}
