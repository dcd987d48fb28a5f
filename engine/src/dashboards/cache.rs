//! Range-query results kept between a dashboard's refreshes, so a refresh
//! evaluates only the steps that are new (and the few recent ones whose
//! samples may still come in) instead of the whole window again; and the
//! queries parsed, since a variable's All can make a query's regex
//! hundreds of alternatives long, which takes longer to compile than the
//! new steps take to evaluate.
//!
//! Why a kept step stays right: a step's value reads only samples at or
//! before it (the query's expression is screened for `@` and negative
//! offsets, which read elsewhere), and the lab's Prometheus stamps a
//! scrape's samples at most one scrape interval before the moment it runs,
//! its staleness markers and rule results at that moment. So once the
//! clock is at `now`, nothing will ever be appended at or before
//! `now - INTERVAL`, and a step there is final. The cache forgets
//! everything when the store is another one (a new lab, the past being
//! looked at), when it dropped samples (retention), or when the clock went
//! back; an entry a refresh did not ask for (another dashboard, variable
//! value, range or step) is dropped at the end of that refresh.

use crate::metrics::monitoring::INTERVAL;
use crate::promql::{self, Error, Labels, Matrix, Series, Storage, Value};
use promql_parser::parser::Expr;
use regex::Regex;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

/// How a range query is named in the cache: the expression as run (with
/// the variables filled in), the step and the steps' phase against it.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Key {
    expr: String,
    step_ms: i64,
    phase_ms: i64,
}

/// One query's result from the first step still shown up to the last
/// step known final.
#[derive(Debug)]
struct Entry {
    start_ms: i64,
    settled_ms: i64,
    series: Matrix,
}

/// The results of the range queries of the last refresh.
#[derive(Debug, Default)]
pub struct RangeCache {
    /// The store the entries were read from ([`Storage::history`]) and its
    /// clock then.
    history: Option<(u64, u64)>,
    now_ms: i64,
    entries: HashMap<Key, Entry>,
    /// Entries asked for since [`RangeCache::begin`].
    used: HashSet<Key>,
    /// Queries as parsed (or the parse error), with whether this refresh
    /// asked for them.
    parsed: HashMap<String, (bool, Result<Rc<Expr>, Error>)>,
    /// Steps evaluated since [`RangeCache::begin`].
    pub evaluated_steps: u64,
    /// Steps taken from the last refresh since [`RangeCache::begin`].
    pub reused_steps: u64,
}

impl RangeCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a refresh over `storage` at `now_ms` (the cluster's clock):
    /// everything is forgotten when the store is not the same past.
    pub fn begin(&mut self, storage: &Storage, now_ms: i64) {
        if self.history != Some(storage.history()) || now_ms < self.now_ms {
            self.entries.clear();
        }
        self.history = Some(storage.history());
        self.now_ms = now_ms;
        self.used.clear();
        self.parsed.values_mut().for_each(|(asked, _)| *asked = false);
        self.evaluated_steps = 0;
        self.reused_steps = 0;
    }

    /// Ends a refresh: the queries it did not run are forgotten.
    pub fn finish(&mut self) {
        let used = std::mem::take(&mut self.used);
        self.entries.retain(|k, _| used.contains(k));
        self.parsed.retain(|_, (asked, _)| *asked);
    }

    /// `expr` parsed, once for as long as refreshes keep asking for it.
    pub(crate) fn parse(&mut self, expr: &str) -> Result<Rc<Expr>, Error> {
        if let Some((asked, parsed)) = self.parsed.get_mut(expr) {
            *asked = true;
            return parsed.clone();
        }
        let parsed = promql::parse(expr).map(Rc::new);
        self.parsed.insert(expr.to_string(), (true, parsed.clone()));
        parsed
    }

    /// What [`promql::instant`] gives, with the query parsed only once.
    pub fn instant(&mut self, storage: &Storage, expr: &str, time_ms: i64) -> Result<Value, Error> {
        promql::instant_parsed(storage, &*self.parse(expr)?, time_ms)
    }

    /// How many query results are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What [`promql::range`] gives for the same arguments, with the steps
    /// kept from the last refresh not evaluated again.
    pub fn range(
        &mut self,
        storage: &Storage,
        expr: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<Matrix, Error> {
        let parsed = self.parse(expr)?;
        let too_many = step_ms > 0 && end_ms.saturating_sub(start_ms) / step_ms > promql::MAX_POINTS;
        if step_ms <= 0 || end_ms < start_ms || too_many || !cacheable(expr) || self.history != Some(storage.history())
        {
            return promql::range_parsed(storage, &parsed, start_ms, end_ms, step_ms);
        }
        let key = Key { expr: expr.to_string(), step_ms, phase_ms: start_ms.rem_euclid(step_ms) };
        self.used.insert(key.clone());
        // The last step no sample can still arrive at or before.
        let last_step = start_ms + (end_ms - start_ms) / step_ms * step_ms;
        let settled = (start_ms + (self.now_ms - INTERVAL - start_ms).div_euclid(step_ms) * step_ms).min(last_step);
        let kept = self.entries.remove(&key).filter(|e| e.start_ms <= start_ms && e.settled_ms >= start_ms - step_ms);
        let (mut by_labels, from) = match kept {
            Some(e) => {
                let from = e.settled_ms + step_ms;
                let by: BTreeMap<Labels, Vec<(i64, f64)>> = e
                    .series
                    .into_iter()
                    .map(|s| {
                        let points: Vec<(i64, f64)> =
                            s.points.into_iter().filter(|(t, _)| *t >= start_ms && *t < from).collect();
                        (s.labels, points)
                    })
                    .collect();
                self.reused_steps += ((from - start_ms) / step_ms).max(0) as u64;
                (by, from)
            }
            None => (BTreeMap::new(), start_ms),
        };
        if from <= end_ms {
            let fresh = promql::range_parsed(storage, &parsed, from, end_ms, step_ms)?;
            self.evaluated_steps += ((end_ms - from) / step_ms + 1) as u64;
            for s in fresh {
                by_labels.entry(s.labels).or_default().extend(s.points);
            }
        }
        let out: Matrix = by_labels
            .into_iter()
            .filter(|(_, points)| !points.is_empty())
            .map(|(labels, points)| Series { labels, points })
            .collect();
        if settled >= start_ms - step_ms {
            let series = out
                .iter()
                .map(|s| Series {
                    labels: s.labels.clone(),
                    points: s.points.iter().copied().filter(|(t, _)| *t <= settled).collect(),
                })
                .filter(|s| !s.points.is_empty())
                .collect();
            self.entries.insert(key, Entry { start_ms, settled_ms: settled, series });
        }
        Ok(out)
    }
}

/// Whether every step of `expr` reads only samples at or before it: an
/// `@` (a fixed time, or the range's start or end) or a negative offset
/// reads elsewhere. Screened on the text, so a label value holding `@`
/// only costs the caching.
fn cacheable(expr: &str) -> bool {
    static NEGATIVE: OnceLock<Option<Regex>> = OnceLock::new();
    let negative = NEGATIVE.get_or_init(|| Regex::new(r"(?i)\boffset\s*-").ok());
    !expr.contains('@') && negative.as_ref().is_some_and(|re| !re.is_match(expr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_reading_elsewhere_than_their_step_are_not_kept() {
        // (expression, cacheable)
        let cases = [
            ("sum(rate(x[5m]))", true),
            ("x offset 5m", true),
            ("x offset -5m", false),
            ("x OFFSET - 1m", false),
            ("x @ end()", false),
            ("x @ 1700000000", false),
            (r#"x{email="a@b"}"#, false),
        ];
        for (expr, want) in cases {
            assert_eq!(cacheable(expr), want, "{expr}");
        }
    }

    #[test]
    fn a_query_parsed_once_answers_as_parsing_it_each_time() {
        let mut storage = Storage::new();
        let up: Labels =
            [("__name__", "up"), ("pod", "web-1")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        storage.append(&up, 0, 1.0);
        let mut cache = RangeCache::new();
        for round in 0..2 {
            cache.begin(&storage, 10_000);
            for expr in ["sum(up{pod=~\"web-1|web-2\"})", "sum(up", "up{pod=~\"(\"}"] {
                let want = promql::instant(&storage, expr, 10_000);
                assert_eq!(cache.instant(&storage, expr, 10_000), want, "{expr}, round {round}");
                let want = promql::range(&storage, expr, 0, 10_000, 5_000);
                assert_eq!(cache.range(&storage, expr, 0, 10_000, 5_000), want, "{expr}, round {round}");
            }
            // A logs panel's stream selector goes through the same cache.
            for query in [r#"{namespace="kube-system", pod=~"a|b"} |= "GET""#, r#"{pod=~"("}"#, "sum(up)"] {
                let through = crate::dashboards::logs::parse_with(query, &mut |s| cache.parse(s));
                let want = crate::dashboards::logs::parse(query);
                assert_eq!(format!("{through:?}"), format!("{want:?}"), "{query}, round {round}");
            }
            cache.finish();
        }
        // A query the last refresh did not run is forgotten.
        cache.begin(&storage, 10_000);
        cache.finish();
        assert!(cache.parsed.is_empty());
    }
}
