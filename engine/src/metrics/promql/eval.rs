//! The evaluator: every expression is evaluated at all of a query's steps
//! at once, as Prometheus's range evaluation does; an instant query is a
//! range of one step.

use super::storage::{is_stale, StoredSeries};
use super::value::{err, Error, Labels, Series, METRIC_NAME};
use super::{aggregations, binary, functions, Storage};
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{AtModifier, Expr, Offset, VectorSelector};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

/// How far back an instant selector looks for a sample.
pub const LOOKBACK_MS: i64 = 5 * 60 * 1000;

/// A subquery without a step uses the evaluation interval; Prometheus's
/// own test harness sets that to one minute.
pub const DEFAULT_SUBQUERY_STEP_MS: i64 = 60 * 1000;

/// A subquery evaluates its expression at every one of its steps; past
/// this many the memory it would take is refused, as Prometheus refuses a
/// query over its sample limit.
const MAX_SUBQUERY_STEPS: i64 = 1_000_000;

/// One series of an instant-vector expression, with a value (or none) at
/// each step.
#[derive(Clone, Debug)]
pub struct Steps {
    pub labels: Labels,
    pub vals: Vec<Option<f64>>,
}

/// An expression's value over the evaluator's steps.
#[derive(Clone, Debug)]
pub enum Val {
    Scalar(Vec<f64>),
    Str(String),
    Vector(Vec<Steps>),
    /// A range vector, which only exists at a single step.
    Range(Vec<Series>),
}

/// A series of an instant vector still under the store's labels (which
/// may carry a metric name the expression has dropped).
pub type StepsRef<'a> = (&'a Labels, Vec<Option<f64>>);

/// The samples of one instant vector at one step.
pub type Instant = Vec<(Labels, f64)>;

pub struct Ctx<'a> {
    pub storage: &'a Storage,
    pub start: i64,
    pub end: i64,
    pub step: i64,
    /// `@ start()` and `@ end()` always mean the outer query's bounds, even
    /// inside a subquery.
    pub query_start: i64,
    pub query_end: i64,
    /// The outer query's step, 0 for an instant query (what `step()` says).
    pub query_step: i64,
    selected: RefCell<HashMap<usize, Rc<Vec<&'a StoredSeries>>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(storage: &'a Storage, start: i64, end: i64, step: i64, query: (i64, i64, i64)) -> Self {
        Ctx {
            storage,
            start,
            end,
            step,
            query_start: query.0,
            query_end: query.1,
            query_step: query.2,
            selected: RefCell::new(HashMap::new()),
        }
    }

    pub fn steps(&self) -> usize {
        (self.end.saturating_sub(self.start) / self.step.max(1)) as usize + 1
    }

    pub fn time(&self, i: usize) -> i64 {
        self.start.saturating_add((i as i64).saturating_mul(self.step))
    }

    pub fn eval(&self, e: &Expr) -> Result<Val, Error> {
        match e {
            Expr::NumberLiteral(n) => Ok(Val::Scalar(vec![n.val; self.steps()])),
            Expr::StringLiteral(s) => Ok(Val::Str(s.val.clone())),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Unary(u) => match self.eval(&u.expr)? {
                Val::Scalar(v) => Ok(Val::Scalar(v.into_iter().map(|x| -x).collect())),
                Val::Vector(series) => {
                    let out = series
                        .into_iter()
                        .map(|s| Steps {
                            labels: drop_name(&s.labels),
                            vals: s.vals.into_iter().map(|v| v.map(|x| -x)).collect(),
                        })
                        .collect();
                    self.merge_checked(out)
                }
                _ => err("unary expression only allowed on expressions of type scalar or instant vector"),
            },
            Expr::VectorSelector(vs) => Ok(Val::Vector(self.select_instant(vs, false))),
            Expr::MatrixSelector(_) | Expr::Subquery(_) => {
                let t = self.time(0);
                Ok(Val::Range(self.range_at(e, t)?.series))
            }
            Expr::Call(c) => functions::call(self, c),
            Expr::Aggregate(a) => aggregations::aggregate(self, a),
            Expr::Binary(b) => binary::eval(self, b),
            Expr::Extension(_) => err("extension expressions are not supported"),
        }
    }

    pub fn eval_vector(&self, e: &Expr) -> Result<Vec<Steps>, Error> {
        match self.eval(e)? {
            Val::Vector(v) => Ok(v),
            _ => err("expected instant vector"),
        }
    }

    pub fn eval_scalar(&self, e: &Expr) -> Result<Vec<f64>, Error> {
        match self.eval(e)? {
            Val::Scalar(v) => Ok(v),
            _ => err("expected scalar"),
        }
    }

    /// The time a selector reads at for step time `t`: its `@` time or
    /// `t`, moved back by its offset.
    pub fn effective(&self, t: i64, at: &Option<AtModifier>, offset: &Option<Offset>) -> i64 {
        let base = match at {
            None => t,
            Some(AtModifier::Start) => self.query_start,
            Some(AtModifier::End) => self.query_end,
            Some(AtModifier::At(st)) => system_ms(*st),
        };
        base.saturating_sub(offset_ms(offset))
    }

    /// An instant selector at every step. With `keep_time`, the values are
    /// the samples' own timestamps in seconds (what `timestamp()` reports).
    pub fn select_instant(&self, vs: &VectorSelector, keep_time: bool) -> Vec<Steps> {
        self.select_instant_ref(vs, keep_time)
            .into_iter()
            .map(|(labels, vals)| Steps { labels: labels.clone(), vals })
            .collect()
    }

    /// [`Ctx::select_instant`] with the store's own labels, for a caller
    /// that only reads them (an aggregation takes a few of thousands).
    pub fn select_instant_ref(&self, vs: &VectorSelector, keep_time: bool) -> Vec<StepsRef<'a>> {
        let n = self.steps();
        let times: Vec<i64> = (0..n).map(|i| self.effective(self.time(i), &vs.at, &vs.offset)).collect();
        let (lo, hi) = span(&times);
        let mut buf = Vec::new();
        self.matching(vs)
            .iter()
            .filter_map(|s| {
                // One decode per series covers every step's lookback.
                s.window(lo.saturating_sub(LOOKBACK_MS), hi, &mut buf);
                if buf.is_empty() {
                    return None;
                }
                let mut any = false;
                let vals: Vec<Option<f64>> = times
                    .iter()
                    .map(|&t| {
                        let found =
                            in_window(&buf, t.saturating_sub(LOOKBACK_MS), t).last().filter(|(_, v)| !is_stale(*v));
                        any |= found.is_some();
                        found.map(|(st, v)| if keep_time { *st as f64 / 1000.0 } else { *v })
                    })
                    .collect();
                any.then_some((&s.labels, vals))
            })
            .collect()
    }

    /// The series a selector picks. A matrix selector is asked again at
    /// every step, so the answer is kept for the selector's lifetime in
    /// this evaluation (keyed by its address in the parsed query).
    pub fn matching(&self, vs: &VectorSelector) -> Rc<Vec<&'a StoredSeries>> {
        let key = vs as *const VectorSelector as usize;
        if let Some(found) = self.selected.borrow().get(&key) {
            return Rc::clone(found);
        }
        let found = Rc::new(self.select(vs));
        self.selected.borrow_mut().insert(key, Rc::clone(&found));
        found
    }

    fn select(&self, vs: &VectorSelector) -> Vec<&'a StoredSeries> {
        let storage: &'a Storage = self.storage;
        let name = vs.name.as_ref().map(|n| Matcher::new(MatchOp::Equal, METRIC_NAME, n));
        let and: Vec<&Matcher> = name.iter().chain(vs.matchers.matchers.iter()).collect();
        if vs.matchers.or_matchers.is_empty() {
            return storage.select(&and).collect();
        }
        // `{a="x" or b="y"}`: each alternative with the common matchers,
        // each series once, in the store's order.
        let mut found: Vec<&'a StoredSeries> = Vec::new();
        for group in &vs.matchers.or_matchers {
            let all: Vec<&Matcher> = and.iter().copied().chain(group.iter()).collect();
            found.extend(storage.select(&all));
        }
        found.sort_by_key(|s| s.id());
        found.dedup_by_key(|s| s.id());
        found
    }

    /// A matrix selector or subquery as seen from step time `t`.
    pub fn range_at(&self, e: &Expr, t: i64) -> Result<Window, Error> {
        match e {
            Expr::Paren(p) => self.range_at(&p.expr, t),
            Expr::MatrixSelector(ms) => {
                let vs = &ms.vs;
                let end = self.effective(t, &vs.at, &vs.offset);
                let start = end.saturating_sub(ms.range.as_millis() as i64);
                let mut buf = Vec::new();
                let series = self
                    .matching(vs)
                    .iter()
                    .filter_map(|s| {
                        s.window(start, end, &mut buf);
                        let points: Vec<(i64, f64)> = buf.iter().filter(|(_, v)| !is_stale(*v)).copied().collect();
                        (!points.is_empty()).then(|| Series { labels: s.labels.clone(), points })
                    })
                    .collect();
                Ok(Window { series, start, end })
            }
            Expr::Subquery(sq) => {
                let end = self.effective(t, &sq.at, &sq.offset);
                let range = sq.range.as_millis() as i64;
                let step = sq.step.map(|d| d.as_millis() as i64).unwrap_or(DEFAULT_SUBQUERY_STEP_MS);
                if step <= 0 {
                    return err("zero or negative subquery step");
                }
                let start = end.saturating_sub(range);
                let mut first = start.div_euclid(step) * step;
                if first <= start {
                    first = first.saturating_add(step);
                }
                if (end - start) / step > MAX_SUBQUERY_STEPS {
                    return err("query processing would load too many samples into memory in query execution");
                }
                if first > end {
                    return Ok(Window { series: Vec::new(), start, end });
                }
                let inner = Ctx::new(
                    self.storage,
                    first,
                    first + (end - first) / step * step,
                    step,
                    (self.query_start, self.query_end, self.query_step),
                );
                let series = match inner.eval(&sq.expr)? {
                    Val::Vector(v) => v
                        .into_iter()
                        .map(|s| Series {
                            points: s
                                .vals
                                .iter()
                                .enumerate()
                                .filter_map(|(i, v)| v.map(|v| (inner.time(i), v)))
                                .collect(),
                            labels: s.labels,
                        })
                        .filter(|s| !s.points.is_empty())
                        .collect(),
                    Val::Scalar(v) => vec![Series {
                        labels: Labels::new(),
                        points: v.iter().enumerate().map(|(i, v)| (inner.time(i), *v)).collect(),
                    }],
                    _ => return err("subquery is only allowed on instant vector"),
                };
                Ok(Window { series, start, end })
            }
            _ => err("expected type range vector"),
        }
    }

    /// Per-step results back into series. Two samples with one label set at
    /// one step is the error Prometheus reports.
    pub fn collect(&self, per_step: Vec<Instant>) -> Result<Val, Error> {
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut out: Vec<Steps> = Vec::new();
        let n = self.steps();
        for (i, samples) in per_step.into_iter().enumerate() {
            for (labels, v) in samples {
                let idx = match index.get(&labels) {
                    Some(idx) => *idx,
                    None => {
                        out.push(Steps { labels: labels.clone(), vals: vec![None; n] });
                        index.insert(labels, out.len() - 1);
                        out.len() - 1
                    }
                };
                if out[idx].vals[i].is_some() {
                    return err("vector cannot contain metrics with the same labelset");
                }
                out[idx].vals[i] = Some(v);
            }
        }
        Ok(Val::Vector(out))
    }

    /// Series whose labels may now collide (after a name was dropped) are
    /// joined; two values at one step is Prometheus's error.
    pub fn merge_checked(&self, series: Vec<Steps>) -> Result<Val, Error> {
        let mut index: HashMap<Labels, usize> = HashMap::new();
        let mut out: Vec<Steps> = Vec::with_capacity(series.len());
        for s in series {
            match index.get(&s.labels) {
                Some(&k) => {
                    for (slot, v) in out[k].vals.iter_mut().zip(s.vals) {
                        if v.is_some() {
                            if slot.is_some() {
                                return err("vector cannot contain metrics with the same labelset");
                            }
                            *slot = v;
                        }
                    }
                }
                None => {
                    index.insert(s.labels.clone(), out.len());
                    out.push(s);
                }
            }
        }
        Ok(Val::Vector(out))
    }
}

/// The selected series of a range at one step, and the range's bounds
/// (what the extrapolation in `rate` measures against).
pub struct Window {
    pub series: Vec<Series>,
    pub start: i64,
    pub end: i64,
}

/// The earliest and latest of some times (`@` can make a selector's
/// times run in any order).
pub fn span(times: &[i64]) -> (i64, i64) {
    let lo = times.iter().copied().min().unwrap_or(0);
    let hi = times.iter().copied().max().unwrap_or(0);
    (lo, hi)
}

/// The part of time-ordered samples with `mint < t <= maxt`.
pub fn in_window(samples: &[(i64, f64)], mint: i64, maxt: i64) -> &[(i64, f64)] {
    let lo = samples.partition_point(|(t, _)| *t <= mint);
    let hi = samples.partition_point(|(t, _)| *t <= maxt).max(lo);
    samples.get(lo..hi).unwrap_or_default()
}

/// The samples of a vector at step `i`.
pub fn at_step(series: &[Steps], i: usize) -> Instant {
    series.iter().filter_map(|s| s.vals[i].map(|v| (s.labels.clone(), v))).collect()
}

pub fn drop_name(labels: &Labels) -> Labels {
    let mut l = labels.clone();
    l.remove(METRIC_NAME);
    l
}

pub fn offset_ms(offset: &Option<Offset>) -> i64 {
    match offset {
        None => 0,
        Some(Offset::Pos(d)) => duration_ms(d),
        Some(Offset::Neg(d)) => -duration_ms(d),
    }
}

fn duration_ms(d: &Duration) -> i64 {
    d.as_millis() as i64
}

fn system_ms(t: std::time::SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => duration_ms(&d),
        Err(e) => -duration_ms(&e.duration()),
    }
}
