//! One renderer per output; none reads files.

pub mod csv;
pub mod json;
pub mod prometheus;
pub mod table;

/// 1536 -> "1.5 KiB".
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

pub fn percent(used: u64, cap: u64) -> f64 {
    if cap == 0 {
        0.0
    } else {
        used as f64 * 100.0 / cap as f64
    }
}

/// An ASCII bar of `width` cells: "[####......]".
pub fn bar(used: u64, capacity: Option<u64>, width: usize) -> String {
    let Some(cap) = capacity.filter(|&c| c > 0) else { return String::new() };
    let filled = ((used as f64 / cap as f64) * width as f64).ceil().min(width as f64) as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// Seconds since the epoch -> "YYYY-MM-DD HH:MM:SS UTC".
pub fn utc(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (proleptic Gregorian), after H. Hinnant.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// "N/A" for absent telemetry.
pub fn or_na<T>(v: Option<T>, f: impl FnOnce(T) -> String) -> String {
    v.map_or_else(|| "N/A".to_string(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(12 << 30), "12.0 GiB");
        assert_eq!(human(u64::MAX), "16.0 EiB");
        assert_eq!(percent(1, 4), 25.0);
        assert_eq!(bar(1, Some(4), 8), "[##......]");
        assert_eq!(bar(9, Some(4), 4), "[####]");
        assert_eq!(bar(1, None, 4), "");
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_795_253_100), "2026-11-21 09:25:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
