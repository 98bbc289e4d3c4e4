//! Watch mode's extra: each chip's DRAM and L1 use over the last samples.

use super::human;
use crate::model::Snapshot;
use std::collections::VecDeque;

pub const SAMPLES: usize = 60;

/// Recent (DRAM used, L1 used) samples of one chip.
type Series = VecDeque<(u64, u64)>;

/// (device, chip) -> its recent samples.
#[derive(Default)]
pub struct History {
    series: Vec<((u32, u32), Series)>,
}

impl History {
    pub fn push(&mut self, s: &Snapshot) {
        for d in &s.devices {
            for c in &d.chips {
                let key = (d.ordinal, c.chip);
                let i = match self.series.iter().position(|(k, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        self.series.push((key, VecDeque::with_capacity(SAMPLES)));
                        self.series.len() - 1
                    }
                };
                let q = &mut self.series[i].1;
                if q.len() == SAMPLES {
                    q.pop_front();
                }
                q.push_back((c.dram_used(), c.l1_used()));
            }
        }
    }

    pub fn render(&self, s: &Snapshot) -> String {
        let mut out = format!("Last {SAMPLES} samples\n");
        for ((dev, chip), q) in &self.series {
            let c = s.devices.iter().find(|d| d.ordinal == *dev).and_then(|d| d.chips.iter().find(|c| c.chip == *chip));
            let (dram_cap, l1_cap) = c.map_or((None, None), |c| (c.dram_capacity, c.l1_capacity));
            let dram: Vec<u64> = q.iter().map(|v| v.0).collect();
            let l1: Vec<u64> = q.iter().map(|v| v.1).collect();
            out += &format!(
                "  {dev}/{chip} DRAM {:>10} {}\n  {dev}/{chip} L1   {:>10} {}\n",
                human(*dram.last().unwrap_or(&0)),
                sparkline(&dram, dram_cap),
                human(*l1.last().unwrap_or(&0)),
                sparkline(&l1, l1_cap)
            );
        }
        out
    }
}

/// One block character per sample, scaled to the capacity (or the window's maximum).
pub fn sparkline(values: &[u64], capacity: Option<u64>) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let top = capacity.filter(|&c| c > 0).unwrap_or_else(|| values.iter().copied().max().unwrap_or(0)).max(1);
    values.iter().map(|&v| BLOCKS[((v.min(top) as f64 / top as f64) * 7.0).round() as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales() {
        assert_eq!(sparkline(&[0, 50, 100], Some(100)), "▁▅█");
        assert_eq!(sparkline(&[0, 2, 4], None), "▁▅█");
        assert_eq!(sparkline(&[200], Some(100)), "█");
        assert_eq!(sparkline(&[], None), "");
    }
}
