//! Each chip's "DRAM used" and "L1 used" over the last `SAMPLES` refreshes.

use crate::model::Snapshot;
use std::collections::{HashMap, VecDeque};

pub const SAMPLES: usize = 60;

/// Recent samples of one chip, oldest first.
#[derive(Default)]
pub struct Series {
    pub dram: VecDeque<u64>,
    pub l1: VecDeque<u64>,
}

fn push(q: &mut VecDeque<u64>, v: u64) {
    if q.len() == SAMPLES {
        q.pop_front();
    }
    q.push_back(v);
}

/// (device, chip) -> its recent samples.
#[derive(Default)]
pub struct History(HashMap<(u32, u32), Series>);

impl History {
    pub fn push(&mut self, s: &Snapshot) {
        for d in &s.devices {
            for c in &d.chips {
                let series = self.0.entry((d.ordinal, c.chip)).or_default();
                push(&mut series.dram, c.dram_used());
                push(&mut series.l1, c.l1_used());
            }
        }
    }

    pub fn get(&self, device: u32, chip: u32) -> Option<&Series> {
        self.0.get(&(device, chip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_samples() {
        let mut q = VecDeque::new();
        for v in 0..100 {
            push(&mut q, v);
        }
        assert_eq!(q.len(), SAMPLES);
        assert_eq!((q.front(), q.back()), (Some(&40), Some(&99)));
    }
}
