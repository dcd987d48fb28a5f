//! An in-memory series store: each label set keeps its samples in time
//! order, and look-ups take Prometheus's label matchers.

use super::value::Labels;
use promql_parser::label::{MatchOp, Matcher};
use std::collections::HashMap;

/// Prometheus's staleness marker: a NaN with a payload of its own, so a
/// sample that is a real NaN is never mistaken for one.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// The staleness marker as a value to append.
pub fn stale_marker() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether a value is the staleness marker rather than a sample.
pub fn is_stale(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// One stored series.
#[derive(Clone, Debug, Default)]
pub struct StoredSeries {
    /// Its labels, the metric name among them.
    pub labels: Labels,
    /// `(ms, value)` in time order, one per timestamp.
    pub samples: Vec<(i64, f64)>,
}

impl StoredSeries {
    /// The samples with `mint < t <= maxt`: Prometheus 3's ranges are
    /// open on the left.
    pub fn window(&self, mint: i64, maxt: i64) -> &[(i64, f64)] {
        let lo = self.samples.partition_point(|(t, _)| *t <= mint);
        let hi = self.samples.partition_point(|(t, _)| *t <= maxt);
        &self.samples[lo..hi.max(lo)]
    }
}

/// Series by label set.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    series: Vec<StoredSeries>,
    index: HashMap<Labels, usize>,
}

impl Storage {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `v` for the series `labels` at `t_ms`. A sample at a time the
    /// series already has replaces it; an empty label value is the same as
    /// no label, as in Prometheus.
    pub fn append(&mut self, labels: &Labels, t_ms: i64, v: f64) {
        let labels: Labels =
            labels.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
        let idx = match self.index.get(&labels) {
            Some(i) => *i,
            None => {
                self.series.push(StoredSeries { labels: labels.clone(), samples: Vec::new() });
                self.index.insert(labels, self.series.len() - 1);
                self.series.len() - 1
            }
        };
        let samples = &mut self.series[idx].samples;
        match samples.last() {
            Some((last, _)) if *last < t_ms => samples.push((t_ms, v)),
            None => samples.push((t_ms, v)),
            _ => match samples.binary_search_by_key(&t_ms, |(t, _)| *t) {
                Ok(i) => samples[i].1 = v,
                Err(i) => samples.insert(i, (t_ms, v)),
            },
        }
    }

    /// The series every matcher accepts. A missing label matches as the
    /// empty string, and regular expressions are anchored at both ends, as
    /// Prometheus's are.
    pub fn select<'a>(&'a self, matchers: &'a [Matcher]) -> impl Iterator<Item = &'a StoredSeries> + 'a {
        self.series.iter().filter(move |s| matchers.iter().all(|m| matches(m, &s.labels)))
    }

    /// Every series, in the order they were first appended.
    pub fn series(&self) -> &[StoredSeries] {
        &self.series
    }

    /// Forgets every series.
    pub fn clear(&mut self) {
        self.series.clear();
        self.index.clear();
    }
}

/// Whether one matcher accepts a label set.
pub fn matches(m: &Matcher, labels: &Labels) -> bool {
    let value = labels.get(&m.name).map(String::as_str).unwrap_or("");
    match &m.op {
        MatchOp::Equal => value == m.value,
        MatchOp::NotEqual => value != m.value,
        MatchOp::Re(re) => re.is_match(value),
        MatchOp::NotRe(re) => !re.is_match(value),
    }
}
