//! An in-memory series store, compact enough for a large cluster's scrapes
//! over hours. Each series keeps its samples in time-ordered chunks of
//! about [`CHUNK_SAMPLES`] (Gorilla-compressed, see `chunk.rs`), the open
//! one appended to in place; a postings index (label name → value → series
//! ids) answers equality matchers without looking at every series; old
//! chunks go when the retention says so.

use super::chunk::{Appender, Chunk, Decoder};
use super::value::Labels;
use promql_parser::label::{MatchOp, Matcher};
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Samples per closed chunk: Prometheus's choice, 30 minutes at a 15 s
/// scrape, so a chunk's header is a small share of it and a recent window
/// decodes at most one or two.
pub const CHUNK_SAMPLES: usize = 120;

/// A chunk that out-of-order appends have grown past this is split, so
/// rewriting it stays cheap.
const SPLIT_AT: usize = 2 * CHUNK_SAMPLES;

/// One stored series.
#[derive(Clone, Debug)]
pub struct StoredSeries {
    /// Its labels, the metric name among them.
    pub labels: Labels,
    id: u64,
    /// Closed chunks, in time order and not overlapping.
    chunks: Vec<Chunk>,
    /// The open chunk, after every closed one.
    head: Appender,
}

impl StoredSeries {
    fn new(id: u64, labels: Labels) -> Self {
        StoredSeries { labels, id, chunks: Vec::new(), head: Appender::default() }
    }

    /// The series' id in its store: given in order of creation, never
    /// reused.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// How many samples it holds.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Chunk::len).sum::<usize>() + self.head.len()
    }

    /// Whether it holds no sample.
    pub fn is_empty(&self) -> bool {
        self.head.len() == 0 && self.chunks.is_empty()
    }

    /// Every sample, oldest first.
    pub fn samples(&self) -> impl Iterator<Item = (i64, f64)> + '_ {
        self.chunks.iter().flat_map(Chunk::iter).chain(self.head_iter())
    }

    fn head_iter(&self) -> Decoder<'_> {
        Decoder::new(self.head.bytes(), self.head.len() as u32)
    }

    /// Replaces `out` with the samples at `mint < t <= maxt` (Prometheus 3's
    /// ranges are open on the left). Only the chunks whose span reaches into
    /// the window are decoded.
    pub fn window(&self, mint: i64, maxt: i64, out: &mut Vec<(i64, f64)>) {
        out.clear();
        if maxt <= mint {
            return;
        }
        fn keep(out: &mut Vec<(i64, f64)>, it: impl Iterator<Item = (i64, f64)>, mint: i64, maxt: i64) {
            out.extend(it.skip_while(|(t, _)| *t <= mint).take_while(|(t, _)| *t <= maxt));
        }
        let first = self.chunks.partition_point(|c| c.max_t <= mint);
        for c in self.chunks.get(first..).unwrap_or_default() {
            if c.min_t > maxt {
                return;
            }
            keep(out, c.iter(), mint, maxt);
        }
        if let Some((min_t, max_t)) = self.head.bounds() {
            if max_t > mint && min_t <= maxt {
                keep(out, self.head_iter(), mint, maxt);
            }
        }
    }

    /// Records a sample; one at a time the series already has is replaced.
    fn append(&mut self, t: i64, v: f64) {
        let after_all = match self.head.bounds() {
            Some((_, max_t)) => t > max_t,
            None => self.chunks.last().is_none_or(|c| t > c.max_t),
        };
        if !after_all {
            return self.insert(t, v);
        }
        if self.head.len() >= CHUNK_SAMPLES {
            if let Some(c) = Chunk::close(std::mem::take(&mut self.head)) {
                // One slot at a time: a chunk closes every half hour, and
                // doubling would leave most series with empty slots.
                self.chunks.reserve_exact(1);
                self.chunks.push(c);
            }
        }
        self.head.push(t, v);
    }

    /// An append that is not the newest: the chunk it falls in (the first
    /// one ending at or after it) is decoded, changed and encoded again.
    /// Scrapes never do this; Prometheus's test files load in any order.
    fn insert(&mut self, t: i64, v: f64) {
        let i = self.chunks.partition_point(|c| c.max_t < t);
        let mut samples: Vec<(i64, f64)> = match self.chunks.get(i) {
            Some(c) => c.iter().collect(),
            None => self.head_iter().collect(),
        };
        match samples.binary_search_by_key(&t, |(st, _)| *st) {
            Ok(k) => samples[k].1 = v,
            Err(k) => samples.insert(k, (t, v)),
        }
        if i == self.chunks.len() {
            self.head = Appender::from_samples(&samples);
            return;
        }
        let pieces: Vec<Chunk> = if samples.len() > SPLIT_AT {
            samples.chunks(CHUNK_SAMPLES).filter_map(|p| Chunk::close(Appender::from_samples(p))).collect()
        } else {
            Chunk::close(Appender::from_samples(&samples)).into_iter().collect()
        };
        self.chunks.splice(i..=i, pieces);
    }

    /// Drops the chunks that end before `t`; whether anything is left.
    fn truncate_before(&mut self, t: i64) -> bool {
        let old = self.chunks.partition_point(|c| c.max_t < t);
        self.chunks.drain(..old);
        if self.head.bounds().is_some_and(|(_, max_t)| max_t < t) {
            self.head = Appender::default();
        }
        !self.is_empty()
    }

    /// Memory its samples take: chunk headers and bytes, and the open
    /// chunk's buffer and state.
    fn sample_bytes(&self) -> usize {
        self.chunks.capacity() * size_of::<Chunk>()
            + self.chunks.iter().map(Chunk::data_bytes).sum::<usize>()
            + size_of::<Appender>()
            + self.head.capacity()
    }
}

/// Approximate memory a label set takes: the strings and a B-tree entry's
/// share of a node.
fn labels_bytes(labels: &Labels) -> usize {
    labels.iter().map(|(k, v)| k.capacity() + v.capacity() + 2 * size_of::<String>() + 16).sum()
}

/// What [`Storage::stats`] reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Closed chunks.
    pub closed_chunks: usize,
    /// Samples in closed chunks.
    pub closed_samples: usize,
    /// Their bytes and the chunks' headers.
    pub closed_bytes: usize,
    /// Samples in the open chunks.
    pub head_samples: usize,
    /// Their buffers and encoder state.
    pub head_bytes: usize,
}

/// Series by label set, with a postings index and an optional retention.
#[derive(Clone, Debug)]
pub struct Storage {
    /// Sorted by id, which is the order of creation.
    series: Vec<StoredSeries>,
    /// A hash of each label set → the ids with that hash (almost always
    /// one): the labels themselves live once, in the series.
    ids: HashMap<u64, Vec<u64>>,
    /// Label name → value → ids of the series with that pair, ascending.
    postings: HashMap<String, BTreeMap<String, Vec<u64>>>,
    next_id: u64,
    retention_ms: Option<i64>,
    /// Where the last truncation cut.
    truncated_at: i64,
    /// Which store this is (copies share it), and how many times it has
    /// dropped samples: together they tell a cache of query results
    /// whether the past it read can still be read the same.
    origin: u64,
    truncations: u64,
}

/// The next store's origin.
static ORIGINS: AtomicU64 = AtomicU64::new(1);

impl Default for Storage {
    fn default() -> Self {
        Storage {
            series: Vec::new(),
            ids: HashMap::new(),
            postings: HashMap::new(),
            next_id: 0,
            retention_ms: None,
            truncated_at: 0,
            origin: ORIGINS.fetch_add(1, Ordering::Relaxed),
            truncations: 0,
        }
    }
}

impl Storage {
    /// An empty store that keeps everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Which store this is and how often samples were dropped from it:
    /// unchanged, every sample read before is still there (appends only
    /// add). A copy has its original's, since it holds the same past.
    pub fn history(&self) -> (u64, u64) {
        (self.origin, self.truncations)
    }

    /// Keeps only about the last `ms` of samples (counted back from the
    /// newest append); `None` keeps everything. Whole chunks are dropped,
    /// so a little more than `ms` may stay.
    pub fn set_retention(&mut self, ms: Option<i64>) {
        self.retention_ms = ms.filter(|ms| *ms > 0);
        self.truncated_at = i64::MIN;
    }

    /// Records `v` for the series `labels` at `t_ms`. A sample at a time the
    /// series already has replaces it; an empty label value is the same as
    /// no label, as in Prometheus.
    pub fn append(&mut self, labels: &Labels, t_ms: i64, v: f64) {
        let id = self.series_ref(labels);
        self.append_ref(id, t_ms, v);
    }

    /// The id of the series `labels`, made if new: a scraper that keeps it
    /// appends with [`Storage::append_ref`] without hashing the labels
    /// again.
    pub fn series_ref(&mut self, labels: &Labels) -> u64 {
        if labels.values().any(String::is_empty) {
            let kept: Labels =
                labels.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect();
            return self.series_for(kept);
        }
        match self.find(labels) {
            Some(id) => id,
            None => self.series_for(labels.clone()),
        }
    }

    /// Records `v` at `t_ms` for the series with this id (see
    /// [`Storage::append`]); `false` if retention has removed that series
    /// since (ask [`Storage::series_ref`] again).
    pub fn append_ref(&mut self, id: u64, t_ms: i64, v: f64) -> bool {
        let Some(s) = self.position(id).and_then(|i| self.series.get_mut(i)) else { return false };
        s.append(t_ms, v);
        self.apply_retention(t_ms);
        true
    }

    /// The id of the series with these labels, made if new.
    fn series_for(&mut self, labels: Labels) -> u64 {
        if let Some(id) = self.find(&labels) {
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        for (k, v) in &labels {
            // Ids only grow, so pushing keeps each list sorted.
            self.postings.entry(k.clone()).or_default().entry(v.clone()).or_default().push(id);
        }
        let same_hash = self.ids.entry(hash(&labels)).or_default();
        same_hash.reserve_exact(1);
        same_hash.push(id);
        self.series.push(StoredSeries::new(id, labels));
        id
    }

    /// The id of the series with exactly these labels.
    fn find(&self, labels: &Labels) -> Option<u64> {
        let ids = self.ids.get(&hash(labels))?;
        ids.iter().copied().find(|id| self.get(*id).is_some_and(|s| &s.labels == labels))
    }

    fn get(&self, id: u64) -> Option<&StoredSeries> {
        self.position(id).and_then(|i| self.series.get(i))
    }

    fn position(&self, id: u64) -> Option<usize> {
        self.series.binary_search_by_key(&id, |s| s.id).ok()
    }

    /// Truncates once the cut-off has moved a tenth of the retention (at
    /// least a second) since the last time, so appends stay cheap; the
    /// moment depends only on what was appended, so replays agree.
    fn apply_retention(&mut self, t_ms: i64) {
        let Some(keep) = self.retention_ms else { return };
        let cut = t_ms.saturating_sub(keep);
        if cut.saturating_sub(self.truncated_at) >= (keep / 10).max(1000) {
            self.truncate_before(cut);
        }
    }

    /// Drops every chunk that ends before `t_ms`, and the series (with their
    /// postings) left with no sample.
    pub fn truncate_before(&mut self, t_ms: i64) {
        self.truncated_at = t_ms;
        self.truncations += 1;
        let mut gone: Vec<StoredSeries> = Vec::new();
        let mut kept = Vec::with_capacity(self.series.len());
        for mut s in std::mem::take(&mut self.series) {
            if s.truncate_before(t_ms) {
                kept.push(s);
            } else {
                gone.push(s);
            }
        }
        self.series = kept;
        if gone.is_empty() {
            return;
        }
        // Each posting list is rewritten once, however many of its series
        // went: a list like `job="node"` can hold most of the store.
        let mut removed: Vec<u64> = gone.iter().map(|s| s.id).collect();
        removed.sort_unstable();
        let mut pairs: Vec<(&String, &String)> = gone.iter().flat_map(|s| s.labels.iter()).collect();
        pairs.sort_unstable();
        pairs.dedup();
        for (k, v) in pairs {
            let Some(values) = self.postings.get_mut(k) else { continue };
            if let Some(ids) = values.get_mut(v) {
                ids.retain(|id| removed.binary_search(id).is_err());
                if ids.is_empty() {
                    values.remove(v);
                }
            }
            if values.is_empty() {
                self.postings.remove(k);
            }
        }
        for s in &gone {
            let h = hash(&s.labels);
            if let Some(ids) = self.ids.get_mut(&h) {
                ids.retain(|id| *id != s.id);
                if ids.is_empty() {
                    self.ids.remove(&h);
                }
            }
        }
    }

    /// The series every matcher accepts, in order of creation. A missing
    /// label matches as the empty string, and regular expressions are
    /// anchored at both ends, as Prometheus's are. Equality matchers (and
    /// regular expressions that reject the empty string) narrow the search
    /// through the postings index; the rest filter what is left.
    pub fn select<'a: 'm, 'm, M: Borrow<Matcher>>(
        &'a self,
        matchers: &'m [M],
    ) -> impl Iterator<Item = &'a StoredSeries> + 'm {
        // The series the index gives satisfy the matchers it answered, so
        // only the others are tried on them.
        let mut candidates: Option<Vec<u64>> = None;
        let mut rest: Vec<&'m Matcher> = Vec::new();
        for m in matchers {
            match self.postings_for(m.borrow()) {
                Some(ids) => {
                    candidates = Some(match candidates {
                        None => ids,
                        Some(c) => intersect(&c, &ids),
                    })
                }
                None => rest.push(m.borrow()),
            }
        }
        let picked: Box<dyn Iterator<Item = &'a StoredSeries> + 'm> = match candidates {
            None => Box::new(self.series.iter()),
            Some(ids) => {
                Box::new(ids.into_iter().filter_map(move |id| self.position(id).and_then(|i| self.series.get(i))))
            }
        };
        picked.filter(move |s| rest.iter().all(|m| matches(m, &s.labels)))
    }

    /// The ids of exactly the series a matcher accepts, when the index can
    /// tell: `None` means "any series may match".
    fn postings_for(&self, m: &Matcher) -> Option<Vec<u64>> {
        let values = self.postings.get(&m.name);
        let mut ids: Vec<u64> = match &m.op {
            MatchOp::Equal if !m.value.is_empty() => {
                return Some(values.and_then(|v| v.get(&m.value)).cloned().unwrap_or_default())
            }
            MatchOp::Re(re) if !re.is_match("") => match literal_alternatives(&m.value) {
                // A multi-value variable's `a|b|c`: each looked up.
                Some(set) => set
                    .iter()
                    .filter_map(|v| values.and_then(|vs| vs.get(v)))
                    .flat_map(|ids| ids.iter().copied())
                    .collect(),
                None => values
                    .into_iter()
                    .flatten()
                    .filter(|(v, _)| re.is_match(v))
                    .flat_map(|(_, ids)| ids.iter().copied())
                    .collect(),
            },
            _ => return None,
        };
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// Every series, in the order they were first appended.
    pub fn series(&self) -> &[StoredSeries] {
        &self.series
    }

    /// How many samples are held.
    pub fn samples(&self) -> usize {
        self.series.iter().map(StoredSeries::len).sum()
    }

    /// Where the samples are and what they take: closed chunks against
    /// open ones.
    pub fn stats(&self) -> Stats {
        let mut st = Stats::default();
        for s in &self.series {
            st.closed_chunks += s.chunks.len();
            st.closed_samples += s.chunks.iter().map(Chunk::len).sum::<usize>();
            st.closed_bytes += s.chunks.iter().map(|c| c.data_bytes() + size_of::<Chunk>()).sum::<usize>();
            st.head_samples += s.head.len();
            st.head_bytes += s.head.capacity() + size_of::<Appender>();
        }
        st
    }

    /// Approximate memory the samples take (chunks and their headers).
    pub fn sample_bytes(&self) -> usize {
        self.series.iter().map(StoredSeries::sample_bytes).sum()
    }

    /// Approximate memory in use: the samples, the series and their labels,
    /// the label-set index and the postings.
    pub fn bytes(&self) -> usize {
        let series: usize = self
            .series
            .iter()
            .map(|s| size_of::<StoredSeries>() + labels_bytes(&s.labels) + s.sample_bytes())
            .sum::<usize>()
            + (self.series.capacity() - self.series.len()) * size_of::<StoredSeries>();
        let ids: usize = self.ids.values().map(|ids| size_of::<(u64, Vec<u64>)>() + 1 + 8 * ids.capacity()).sum();
        let postings: usize = self
            .postings
            .iter()
            .map(|(k, values)| {
                k.capacity()
                    + size_of::<(String, BTreeMap<String, Vec<u64>>)>()
                    + values
                        .iter()
                        .map(|(v, ids)| v.capacity() + size_of::<(String, Vec<u64>)>() + 8 * ids.capacity())
                        .sum::<usize>()
            })
            .sum();
        series + ids + postings
    }

    /// Forgets every series.
    pub fn clear(&mut self) {
        *self = Storage { retention_ms: self.retention_ms, truncated_at: i64::MIN, ..Storage::default() };
    }
}

/// A label set's hash. SipHash with fixed keys: the same on every run
/// and platform, though only lookups depend on it.
fn hash(labels: &Labels) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    labels.hash(&mut h);
    h.finish()
}

/// Two ascending id lists' common ids.
/// The strings a regex matches when it is nothing but literals joined by
/// `|`, perhaps in one group: how Grafana writes a multi-value variable,
/// its values' punctuation escaped. Prometheus looks such sets up too.
fn literal_alternatives(pattern: &str) -> Option<Vec<String>> {
    const META: &str = "\\.+*?()|[]{}^$";
    let inner = pattern
        .strip_prefix("(?:")
        .or_else(|| pattern.strip_prefix('('))
        .and_then(|p| p.strip_suffix(')'))
        .unwrap_or(pattern);
    let mut out = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let literal = match c {
            '\\' => chars.next().filter(|e| e.is_ascii_punctuation() && !matches!(e, '<' | '>'))?,
            '|' => {
                out.push(String::new());
                continue;
            }
            c if META.contains(c) => return None,
            c => c,
        };
        out.last_mut()?.push(literal);
    }
    Some(out)
}

fn intersect(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().copied().filter(|id| large.binary_search(id).is_ok()).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::promql::value::METRIC_NAME;
    use promql_parser::label::Matcher;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn window(s: &StoredSeries, mint: i64, maxt: i64) -> Vec<(i64, f64)> {
        let mut out = vec![(-1, -1.0)];
        s.window(mint, maxt, &mut out);
        out
    }

    fn series(store: &Storage, l: &Labels) -> StoredSeries {
        match store.series().iter().find(|s| &s.labels == l) {
            Some(s) => s.clone(),
            None => panic!("no series {l:?}"),
        }
    }

    #[test]
    fn windows_are_open_on_the_left_across_chunk_edges() {
        let mut store = Storage::new();
        let up = labels(&[(METRIC_NAME, "up")]);
        let n = 3 * CHUNK_SAMPLES as i64 + 7;
        for k in 0..n {
            store.append(&up, k * 10, k as f64);
        }
        let s = series(&store, &up);
        assert_eq!(s.chunks.len(), 3);
        assert_eq!(s.len(), n as usize);
        let edge = CHUNK_SAMPLES as i64 * 10;
        // The last sample of the first chunk and the first of the second.
        assert_eq!(window(&s, edge - 20, edge), vec![(edge - 10, 119.0), (edge, 120.0)]);
        assert_eq!(window(&s, edge - 10, edge), vec![(edge, 120.0)]);
        assert_eq!(window(&s, edge - 11, edge - 1), vec![(edge - 10, 119.0)]);
        assert_eq!(window(&s, -100, 0), vec![(0, 0.0)]);
        assert_eq!(window(&s, 0, 0), vec![]);
        assert_eq!(window(&s, 5, 9), vec![]);
        assert_eq!(window(&s, (n - 1) * 10, i64::MAX), vec![]);
        assert_eq!(window(&s, i64::MIN, i64::MAX).len(), n as usize);
        let all: Vec<(i64, f64)> = s.samples().collect();
        assert_eq!(all, window(&s, i64::MIN, i64::MAX));
    }

    #[test]
    fn a_same_time_append_replaces_in_the_head_and_in_closed_chunks() {
        let mut store = Storage::new();
        let up = labels(&[(METRIC_NAME, "up")]);
        for k in 0..(CHUNK_SAMPLES as i64 + 5) {
            store.append(&up, k * 1000, 1.0);
        }
        store.append(&up, 3000, 7.0);
        store.append(&up, (CHUNK_SAMPLES as i64 + 4) * 1000, stale_marker());
        let s = series(&store, &up);
        assert_eq!(s.len(), CHUNK_SAMPLES + 5);
        assert_eq!(window(&s, 2000, 3000), vec![(3000, 7.0)]);
        let last = window(&s, (CHUNK_SAMPLES as i64 + 3) * 1000, i64::MAX);
        assert_eq!(last.len(), 1);
        assert!(is_stale(last[0].1));
    }

    #[test]
    fn out_of_order_appends_land_in_place() {
        let mut store = Storage::new();
        let up = labels(&[(METRIC_NAME, "up")]);
        // Every other timestamp first, then the gaps, newest first, and
        // some before everything (promqltest loads times near zero).
        let n = 3 * CHUNK_SAMPLES as i64;
        for k in (0..n).step_by(2) {
            store.append(&up, k, k as f64);
        }
        for k in (0..n).skip(1).step_by(2).collect::<Vec<_>>().into_iter().rev() {
            store.append(&up, k, k as f64);
        }
        for k in (-50..0).rev() {
            store.append(&up, k, k as f64);
        }
        let s = series(&store, &up);
        let all: Vec<(i64, f64)> = s.samples().collect();
        let want: Vec<(i64, f64)> = (-50..n).map(|k| (k, k as f64)).collect();
        assert_eq!(all, want);
        // Chunks stay ordered and apart, and none grew without bound.
        for pair in s.chunks.windows(2) {
            assert!(pair[0].max_t < pair[1].min_t);
        }
        assert!(s.chunks.iter().all(|c| c.len() <= SPLIT_AT));
        assert_eq!(window(&s, 99, 101), vec![(100, 100.0), (101, 101.0)]);
    }

    #[test]
    fn a_kept_ref_appends_until_retention_removes_its_series() {
        let mut store = Storage::new();
        let up = labels(&[(METRIC_NAME, "up")]);
        let id = store.series_ref(&up);
        assert_eq!(store.series_ref(&up), id);
        assert!(store.append_ref(id, 0, 1.0));
        store.truncate_before(1);
        assert!(!store.append_ref(id, 2, 1.0));
        assert_ne!(store.series_ref(&up), id);
    }

    #[test]
    fn empty_label_values_are_no_labels() {
        let mut store = Storage::new();
        store.append(&labels(&[(METRIC_NAME, "up"), ("pod", "")]), 0, 1.0);
        store.append(&labels(&[(METRIC_NAME, "up")]), 1, 2.0);
        assert_eq!(store.series().len(), 1);
        assert_eq!(store.samples(), 2);
    }

    fn store() -> Storage {
        let mut s = Storage::new();
        for (name, pod, ns) in [
            ("restarts", "web-1", "default"),
            ("restarts", "web-2", "default"),
            ("restarts", "dns", "kube-system"),
            ("ready", "web-1", "default"),
            ("ready", "dns", ""),
        ] {
            s.append(&labels(&[(METRIC_NAME, name), ("pod", pod), ("namespace", ns)]), 0, 1.0);
        }
        s
    }

    fn picked(s: &Storage, ms: &[Matcher]) -> Vec<String> {
        let scan: Vec<String> = s
            .series()
            .iter()
            .filter(|x| ms.iter().all(|m| matches(m, &x.labels)))
            .map(|x| format!("{}/{}", x.labels[METRIC_NAME], x.labels["pod"]))
            .collect();
        let indexed: Vec<String> =
            s.select(ms).map(|x| format!("{}/{}", x.labels[METRIC_NAME], x.labels["pod"])).collect();
        // The index must agree with looking at every series.
        assert_eq!(indexed, scan);
        indexed
    }

    fn re(op: fn(regex::Regex) -> MatchOp, name: &str, pattern: &str) -> Matcher {
        match regex::Regex::new(&format!("^(?s:{pattern})$")) {
            Ok(r) => Matcher::new(op(r), name, pattern),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn postings_agree_with_a_scan_for_every_matcher_type() {
        let s = store();
        let eq = |n: &str, v: &str| Matcher::new(MatchOp::Equal, n, v);
        let ne = |n: &str, v: &str| Matcher::new(MatchOp::NotEqual, n, v);
        assert_eq!(picked(&s, &[eq(METRIC_NAME, "restarts")]), ["restarts/web-1", "restarts/web-2", "restarts/dns"]);
        assert_eq!(picked(&s, &[eq(METRIC_NAME, "restarts"), eq("pod", "dns")]), ["restarts/dns"]);
        assert_eq!(picked(&s, &[eq(METRIC_NAME, "nothing")]), Vec::<String>::new());
        assert_eq!(picked(&s, &[eq("namespace", "")]), ["ready/dns"]);
        assert_eq!(picked(&s, &[ne("namespace", "default")]), ["restarts/dns", "ready/dns"]);
        assert_eq!(picked(&s, &[eq(METRIC_NAME, "ready"), ne("pod", "dns")]), ["ready/web-1"]);
        assert_eq!(
            picked(&s, &[re(MatchOp::Re, "pod", "web-.*")]),
            ["restarts/web-1", "restarts/web-2", "ready/web-1"]
        );
        assert_eq!(picked(&s, &[re(MatchOp::Re, "pod", "web")]), Vec::<String>::new());
        assert_eq!(picked(&s, &[re(MatchOp::Re, "namespace", "|kube-.*")]), ["restarts/dns", "ready/dns"]);
        assert_eq!(picked(&s, &[eq(METRIC_NAME, "restarts"), re(MatchOp::NotRe, "pod", "web-.*")]), ["restarts/dns"]);
        assert_eq!(picked(&s, &[]).len(), 5);
        // Sets of literals, as a multi-value variable writes them, are
        // looked up value by value; anything else is matched as a regex.
        for (pattern, want) in [
            ("(web-1|dns)", &["restarts/web-1", "restarts/dns", "ready/web-1", "ready/dns"][..]),
            (r"(?:web\-2|nothing)", &["restarts/web-2"]),
            ("web-1", &["restarts/web-1", "ready/web-1"]),
            ("(web-1)|(dns)", &["restarts/web-1", "restarts/dns", "ready/web-1", "ready/dns"]),
            ("web-.|dns", &["restarts/web-1", "restarts/web-2", "restarts/dns", "ready/web-1", "ready/dns"]),
            ("(?i)DNS", &["restarts/dns", "ready/dns"]),
        ] {
            let ms = [eq(METRIC_NAME, "restarts"), re(MatchOp::Re, "pod", pattern)];
            let restarts: Vec<&str> = want.iter().copied().filter(|w| w.starts_with("restarts/")).collect();
            assert_eq!(picked(&s, &ms), restarts, "{pattern}");
            assert_eq!(picked(&s, &[re(MatchOp::Re, "pod", pattern)]), want, "{pattern}");
        }
    }

    #[test]
    fn only_plain_alternations_of_literals_are_sets() {
        let cases: [(&str, Option<&[&str]>); 9] = [
            ("a|b", Some(&["a", "b"])),
            ("(a|b)", Some(&["a", "b"])),
            ("(?:a|b-c)", Some(&["a", "b-c"])),
            (r"(kube\-proxy\.x|a\|b)", Some(&["kube-proxy.x", "a|b"])),
            ("a.b|c", None),
            ("(a)|(b)", None),
            ("(?i)a", None),
            (r"a\d", None),
            ("[ab]", None),
        ];
        for (pattern, want) in cases {
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(literal_alternatives(pattern), want, "{pattern}");
        }
    }

    #[test]
    fn retention_drops_old_chunks_and_empty_series() {
        let mut store = Storage::new();
        let old = labels(&[(METRIC_NAME, "old"), ("job", "a")]);
        let kept = labels(&[(METRIC_NAME, "kept"), ("job", "a")]);
        let gap = 15_000;
        let n = 4 * CHUNK_SAMPLES as i64;
        for k in 0..n {
            if k < CHUNK_SAMPLES as i64 {
                store.append(&old, k * gap, 1.0);
            }
            store.append(&kept, k * gap, k as f64);
        }
        let before = store.bytes();
        // Cut in the middle of the third chunk: it stays whole.
        let cut = (2 * CHUNK_SAMPLES as i64 + 10) * gap;
        store.truncate_before(cut);
        assert_eq!(store.series().len(), 1);
        let s = series(&store, &kept);
        assert_eq!(s.samples().next(), Some(((2 * CHUNK_SAMPLES as i64) * gap, 240.0)));
        assert_eq!(s.len(), 2 * CHUNK_SAMPLES);
        assert!(store.bytes() < before);
        // The old series is gone from the postings too.
        let job = [Matcher::new(MatchOp::Equal, "job", "a")];
        assert_eq!(store.select(&job).count(), 1);
        assert!(!store.postings.get(METRIC_NAME).is_some_and(|v| v.contains_key("old")));
        // Its labels can come back as a new series.
        store.append(&old, n * gap, 2.0);
        assert_eq!(store.select(&job).count(), 2);
        assert_eq!(store.series().iter().map(StoredSeries::id).collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn a_retention_keeps_about_that_much() {
        let mut a = Storage::new();
        a.set_retention(Some(3_600_000));
        let up = labels(&[(METRIC_NAME, "up")]);
        let pod = |k: i64| labels(&[(METRIC_NAME, "pod_up"), ("pod", &format!("p{}", k / 480))]);
        for k in 0..(6 * 240) {
            a.append(&up, k * 15_000, 1.0);
            // Pods come and go every two hours.
            a.append(&pod(k), k * 15_000, 1.0);
        }
        let s = series(&a, &up);
        let first = s.samples().next().map(|(t, _)| t).unwrap_or(0);
        let last = (6 * 240 - 1) * 15_000;
        assert!(last - first >= 3_600_000, "{first}");
        assert!(last - first <= 3_600_000 + 2 * CHUNK_SAMPLES as i64 * 15_000, "{first}");
        // Only the pod still reporting an hour ago is left.
        assert_eq!(a.series().len(), 2);
    }
}
