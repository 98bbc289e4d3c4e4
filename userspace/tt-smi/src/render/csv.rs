//! `--csv`: the process table, one row per process and chip (nvidia-smi's
//! `--query-compute-apps --format=csv` habit). RFC 4180 quoting.

use crate::model::{Snapshot, TYPES};

/// Quoted when it holds a separator, a quote or any control character: the
/// exact value survives, and a control character is never a bare field.
fn field(s: &str) -> String {
    if s.contains([',', '"']) || s.contains(char::is_control) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn render(s: &Snapshot) -> String {
    let mut out = format!(
        "device,chip,pid,user,process_name,used_memory_bytes,{},buffers\n",
        TYPES.map(|t| format!("{}_bytes", t.to_lowercase())).join(",")
    );
    for p in &s.processes {
        let bytes: Vec<String> = p.bytes.iter().map(u64::to_string).collect();
        out += &format!(
            "{},{},{},{},{},{},{},{}\n",
            p.device,
            p.chip.map_or(String::new(), |c| c.to_string()),
            p.pid.map_or(String::new(), |v| v.to_string()),
            field(p.user.as_deref().unwrap_or("")),
            field(&p.command),
            p.total_bytes(),
            bytes.join(","),
            p.buffers
        );
    }
    out
}
